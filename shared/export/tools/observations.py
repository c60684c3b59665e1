"""Observations (API-NOTES A8): type, priority, trade, location, assignee, due/closed dates."""

from __future__ import annotations

from shared.export import values
from shared.export.document import ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import ToolItem


class Observations(ExportTool):
    name = "observations"
    label = "Observation"
    endpoint = ToolEndpoint.OBSERVATIONS
    resources = ("Observation Items",)
    number_prefix = "OBS-"

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Type", values.label(f.get("type"))),
                ("Priority", values.label(f.get("priority"))),
                ("Assignee", values.person(f.get("assignee"))),
                ("Location", values.label(f.get("location"))),
                ("Trade", values.label(f.get("trade"))),
                ("Due date", values.when(f.get("due_date"))),
                ("Closed", values.when(f.get("closed_at"))),
            ],
            sections=[
                Section(heading="Description", paragraphs=[values.text_of(f, "description")])
            ],
        )
