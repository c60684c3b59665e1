"""Webhooks (API-NOTES A9): hooks, their triggers, and the v2.0 payload Procore delivers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.procore.models import ProcoreModel


class Hook(ProcoreModel):
    id: int
    namespace: str | None = None
    destination_url: str | None = None
    destination_headers: dict[str, str] | None = None
    api_version: str | None = None
    project_id: int | None = None
    company_id: int | None = None


class Trigger(ProcoreModel):
    id: int
    resource_name: str
    event_type: str
    api_version: str | None = None
    project_id: int | None = None
    company_id: int | None = None


class EventMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    source_user_id: int | None = None
    source_project_id: int | None = None
    source_operation_id: str | int | None = None
    source_company_id: int | None = None
    source_application_id: str | int | None = None


class WebhookEvent(BaseModel):
    """The v2.0 payload. It names the resource but carries no body: the receiver re-reads it.
    Deliveries can repeat; dedupe by `ulid` (or `id`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    ulid: str | None = None
    timestamp: datetime
    metadata: EventMetadata = Field(default_factory=EventMetadata)
    user_id: int | None = None
    company_id: int | None = None
    project_id: int | None = None
    api_version: str = "v2.0"
    event_type: str
    resource_name: str
    resource_id: int
