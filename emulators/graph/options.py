"""Run-time options of the emulator (CLI flags, changeable through `POST /_emulator/settings`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Options(BaseModel):
    """Knobs for limits the docs give differently or that tests need small."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    token_lifetime_s: int = Field(3600, ge=1)
    ru_per_minute: int = Field(
        1200, ge=1, description="API-NOTES B5: 1,200 RU/min for 0-1k licences"
    )
    ru_window_s: float = Field(60.0, gt=0)
    # [U] 250 MB per the current Graph doc, 4 MB per the older OneDrive doc (API-NOTES B2).
    simple_upload_max_bytes: int = Field(250 * 1024 * 1024, ge=0)
    upload_session_ttl_s: float = Field(900.0, gt=0)
    download_url_ttl_s: float = Field(300.0, gt=0)
    page_size: int = Field(200, ge=1, le=999)
    notify_delay_ms: int = Field(200, ge=0)
    notify_retry_s: float = Field(1.0, gt=0)
    notify_max_age_s: float = Field(4 * 3600.0, gt=0)
    notify_ack_timeout_s: float = Field(3.0, gt=0)
    validation_timeout_s: float = Field(10.0, gt=0)
    office_rewrite: bool = True
    # [U] trailing dots: a legacy SharePoint rule, unconfirmed for current SPO (API-NOTES B6).
    forbid_trailing_dot: bool = True
    require_https_notification_url: bool = False


class OptionsUpdate(BaseModel):
    """Body of `POST /_emulator/settings`: any subset of the options."""

    model_config = ConfigDict(extra="forbid")

    token_lifetime_s: int | None = None
    ru_per_minute: int | None = None
    ru_window_s: float | None = None
    simple_upload_max_bytes: int | None = None
    upload_session_ttl_s: float | None = None
    download_url_ttl_s: float | None = None
    page_size: int | None = None
    notify_delay_ms: int | None = None
    notify_retry_s: float | None = None
    notify_max_age_s: float | None = None
    notify_ack_timeout_s: float | None = None
    validation_timeout_s: float | None = None
    office_rewrite: bool | None = None
    forbid_trailing_dot: bool | None = None
    require_https_notification_url: bool | None = None
