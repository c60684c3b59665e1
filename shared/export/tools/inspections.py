"""Inspections (checklists, API-NOTES A8): type, date, item counts and outcome."""

from __future__ import annotations

from shared.export import values
from shared.export.document import ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import ToolItem


class Inspections(ExportTool):
    name = "inspections"
    label = "Inspection"
    endpoint = ToolEndpoint.INSPECTIONS
    resources = ("Inspection Checklists",)
    number_prefix = "INS-"

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        counts = [
            f"{name}: {f[key]}"
            for key, name in (
                ("item_count", "items"),
                ("conforming_item_count", "conforming"),
                ("deficient_item_count", "deficient"),
                ("na_item_count", "not applicable"),
            )
            if f.get(key) is not None
        ]
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Type", values.label(f.get("inspection_type"))),
                ("Inspection date", values.when(f.get("inspection_date"))),
                ("Inspectors", values.person(f.get("inspectors"))),
                ("Closed", values.when(f.get("closed_at"))),
                ("Items", ", ".join(counts)),
            ],
            sections=[
                Section(heading="Description", paragraphs=[values.text_of(f, "description")])
            ],
        )
