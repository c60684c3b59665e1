"""Incidents: event date, recordable flag, description ([U]: Procore's Incidents API fields and
webhook resource name are not in our notes)."""

from __future__ import annotations

from shared.export import values
from shared.export.document import ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import ToolItem


class Incidents(ExportTool):
    name = "incidents"
    label = "Incident"
    endpoint = ToolEndpoint.INCIDENTS
    resources = ("Incidents",)  # [U] resource name not observed (API-NOTES A9)
    number_prefix = "INC-"

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Event date", values.when(f.get("event_date"))),
                ("Recordable", values.label(f.get("recordable"))),
                ("Private", values.label(f.get("private"))),
            ],
            sections=[
                Section(heading="Description", paragraphs=[values.text_of(f, "description")])
            ],
        )
