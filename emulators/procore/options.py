"""Run-time options of the emulator: CLI flags and `PATCH /_emulator/config` share this model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Options(BaseModel):
    """Every tunable behaviour. Facts Procore does not document are marked [U] and default to a
    plausible value so that tests can pin them explicitly."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    base_url: str = ""
    token_lifetime_s: int = Field(default=5400, gt=0)  # A1: expires_in 5400
    hourly_limit: int = Field(default=3600, gt=0)  # A4: historical default 3,600/hour
    hourly_window_s: float = Field(default=3600.0, gt=0)
    # [U] Procore publishes no spike-window size; its docs only show 25 as an example.
    spike_limit: int = Field(default=100, gt=0)
    spike_window_s: float = Field(default=10.0, gt=0)
    # [U] v1.x default and maximum per_page are undocumented (A3): both are options.
    default_per_page: int = Field(default=100, gt=0)
    max_per_page: int = Field(default=1000, gt=0)
    webhook_timeout_s: float = Field(default=5.0, gt=0)  # A9: 5 s
    webhook_retry_base_s: float = Field(default=1.0, gt=0)  # A9: backoff from 1 s
    webhook_retry_cap_s: float = Field(default=3600.0, gt=0)  # A9: ... up to 1 h
    webhook_discard_after_s: float = Field(default=43200.0, gt=0)  # A9: discarded after 12 h
    webhook_duplicates: bool = False
    # [U] lifetime of the presigned S3 URLs behind downloads is not published.
    storage_url_ttl_s: int = Field(default=600, gt=0)
    # A6: v1.1 uploads must start within 1 h; [U] for v2.1 part URLs.
    upload_url_ttl_s: int = Field(default=3600, gt=0)


class OptionsPatch(BaseModel):
    """Partial update of `Options` via the control API."""

    model_config = ConfigDict(extra="forbid")

    token_lifetime_s: int | None = Field(default=None, gt=0)
    hourly_limit: int | None = Field(default=None, gt=0)
    hourly_window_s: float | None = Field(default=None, gt=0)
    spike_limit: int | None = Field(default=None, gt=0)
    spike_window_s: float | None = Field(default=None, gt=0)
    default_per_page: int | None = Field(default=None, gt=0)
    max_per_page: int | None = Field(default=None, gt=0)
    webhook_timeout_s: float | None = Field(default=None, gt=0)
    webhook_retry_base_s: float | None = Field(default=None, gt=0)
    webhook_retry_cap_s: float | None = Field(default=None, gt=0)
    webhook_discard_after_s: float | None = Field(default=None, gt=0)
    webhook_duplicates: bool | None = None
    storage_url_ttl_s: int | None = Field(default=None, gt=0)
    upload_url_ttl_s: int | None = Field(default=None, gt=0)
