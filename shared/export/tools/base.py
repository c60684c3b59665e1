"""What every exported tool provides: the protocol the export engine drives.

A tool module says which Procore endpoint lists its items, which webhook resources announce their
changes, whether the list row suffices or the detail must be fetched, and what the item's PDF
shows. Adding a tool is one module like `rfis.py` plus a line in `tools/__init__.py`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from shared.export import values
from shared.export.document import ExportDocument
from shared.export.naming import item_stem, numbered
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import Attachment, ToolItem


@dataclass(frozen=True)
class Download:
    """The item's PDF is a file Procore already has (a drawing revision): copy it as it is."""

    url: str
    size: int | None = None


class ExportTool(ABC):
    """One Procore tool exported one-way as a PDF per item (plus its attachments)."""

    name: ClassVar[str]
    """The user-facing tool name (`shared.mapping.Tool`), also the state and message key."""
    label: ClassVar[str]
    """What one item is called in its PDF, e.g. "RFI"."""
    endpoint: ClassVar[ToolEndpoint]
    resources: ClassVar[tuple[str, ...]]
    """Procore webhook resource names whose events mean "an item of this tool changed"."""
    number_prefix: ClassVar[str] = ""
    detail_fields: ClassVar[tuple[str, ...]] = ()
    """Fields the PDF needs that a list row may lack; a row without one is fetched in full."""

    def needs_detail(self, row: ToolItem) -> bool:
        present = {*row.fields, *(k for k, v in row.model_dump().items() if v)}
        return any(name not in present for name in self.detail_fields)

    def wanted(self, row: ToolItem) -> bool:
        """Whether a listed row is exported at all (drawings: current revisions only)."""
        return True

    def record_id(self, row: ToolItem) -> int:
        """The id the export state is kept under (drawings: the drawing, across revisions)."""
        return row.id

    def is_deleted(self, row: ToolItem) -> bool:
        return bool(row.deleted_at or row.fields.get("deleted") is True)

    def number(self, item: ToolItem) -> str:
        return numbered(self.number_prefix, item.number)

    def stem(self, item: ToolItem) -> str:
        """The PDF's name without `.pdf`, also the name of the item's attachment folder."""
        return item_stem(self.number(item), item.title, item.id)

    def attachments(self, item: ToolItem) -> list[Attachment]:
        return list(item.attachments)

    def pdf(self, item: ToolItem, project_name: str) -> ExportDocument | Download:
        return self.document(item, project_name)

    @abstractmethod
    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        """The item as a document to render."""

    # --- shared pieces for the tool modules ---------------------------------------------------

    def common_fields(self, item: ToolItem) -> list[tuple[str, str]]:
        return [
            ("Status", values.label(item.status)),
            ("Created", values.when(item.created_at)),
            ("Created by", values.person(item.fields.get("created_by"))),
            ("Last updated", values.when(item.updated_at)),
        ]

    def base_document(
        self,
        item: ToolItem,
        project_name: str,
        fields: list[tuple[str, str]],
        **rest: Any,
    ) -> ExportDocument:
        return ExportDocument(
            tool_label=self.label,
            number=self.number(item),
            title=item.title or "",
            project=f"Project: {project_name}" if project_name else "",
            fields=[(k, v) for k, v in fields if v],
            attachments=[a.name for a in self.attachments(item)],
            source=(
                f"Exported from Procore ({self.label} {item.id}, last updated "
                f"{values.when(item.updated_at)}). Edits made to this file in SharePoint are "
                "not sent to Procore; the next change in Procore replaces it."
            ),
            **rest,
        )
