"""Items of the one-way tools (API-NOTES A8): one generic item model with what the export needs
(number, title, status, dates, attachments) plus every other field kept for the item's PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.procore.models import ProcoreModel


class Attachment(ProcoreModel):
    """A file attached to a tool item; its `url` downloads like a document file."""

    id: int | None = None
    name: str
    url: str
    size: int | None = None
    content_type: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shapes(cls, value: Any) -> Any:
        # Procore names attachments `name` or `filename`; some nest a `prostore_file`.
        if not isinstance(value, dict):
            return value
        data = dict(value)
        prostore = data.get("prostore_file")
        if isinstance(prostore, dict):
            data.setdefault("url", prostore.get("url"))
            data.setdefault("name", prostore.get("filename") or prostore.get("name"))
        if not data.get("name"):
            data["name"] = data.get("filename") or f"attachment-{data.get('id', 'unnamed')}"
        return data


class ToolItem(BaseModel):
    """An RFI, submittal, form, observation, inspection, incident, commitment..."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: int
    number: str | None = None
    title: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _common_names(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        data = dict(value)
        number = data.get("full_number") or data.get("formatted_number") or data.get("number")
        data["number"] = None if number is None else str(number)
        if not data.get("title"):
            data["title"] = data.get("subject") or data.get("name")
        status = data.get("status")
        if isinstance(status, dict):
            data["status"] = status.get("name") or status.get("status")
        elif status is not None and not isinstance(status, str):
            data["status"] = str(status)
        return data

    @property
    def fields(self) -> dict[str, Any]:
        """Every other field the service sent, for rendering the item."""
        return dict(self.model_extra or {})


class RfiReply(ProcoreModel):
    id: int
    body: str | None = None
    plain_text_body: str | None = None
    official: bool | None = None
    created_at: datetime | None = None
    created_by: Any = None
    attachments: list[Attachment] = Field(default_factory=list)


class DrawingArea(ProcoreModel):
    id: int
    name: str


class DrawingSet(ProcoreModel):
    id: int
    name: str
    date: str | None = None


class DrawingRevision(ProcoreModel):
    """One revision of a drawing; `pdf_url` is its content."""

    id: int
    number: str | None = None
    title: str | None = None
    revision_number: str | None = None
    drawing_id: int | None = None
    drawing_area_id: int | None = None
    drawing_date: str | None = None
    received_date: str | None = None
    current: bool | None = None
    drawing_set: DrawingSet | None = None
    pdf_url: str | None = None
    pdf_size: int | None = None
    png_url: str | None = None
    updated_at: datetime | None = None
