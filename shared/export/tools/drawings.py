"""Drawings (API-NOTES A8): the current revision's own PDF from Procore (`pdf_url` comes with the
revision list, so no detail is fetched), named by drawing number, title and revision. The export
state is kept per drawing, so a new revision replaces the previous one's file (kept as a prior
version) or, with EXPORT_KEEP_SUPERSEDED_DRAWINGS, is added beside it."""

from __future__ import annotations

from shared.export.document import ExportDocument
from shared.export.naming import item_stem
from shared.export.tools.base import Download, ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import Attachment, ToolItem


class Drawings(ExportTool):
    name = "drawings"
    label = "Drawing"
    endpoint = ToolEndpoint.DRAWING_REVISIONS
    resources = ("Drawings", "Drawing Sets", "Drawing Uploads")

    def wanted(self, row: ToolItem) -> bool:
        return row.fields.get("current") is not False and bool(row.fields.get("pdf_url"))

    def record_id(self, row: ToolItem) -> int:
        drawing = row.fields.get("drawing_id")
        return int(drawing) if isinstance(drawing, int | str) and str(drawing).isdigit() else row.id

    def stem(self, item: ToolItem) -> str:
        revision = item.fields.get("revision_number")
        base = item_stem(item.number or "", item.title, item.id)
        return f"{base} Rev {revision}" if revision not in (None, "") else base

    def attachments(self, item: ToolItem) -> list[Attachment]:
        return []

    def pdf(self, item: ToolItem, project_name: str) -> ExportDocument | Download:
        url = item.fields.get("pdf_url")
        size = item.fields.get("pdf_size")
        return Download(str(url), int(size) if isinstance(size, int) else None)

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        raise NotImplementedError("drawings are copied as Procore's own PDF, not rendered")
