"""Forms: the form's template, description and who filled it in. Forms have no number, so the
name carries the Procore id ([U]: Procore's Forms API fields are not in our notes)."""

from __future__ import annotations

from shared.export import values
from shared.export.document import ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import ToolItem


class Forms(ExportTool):
    name = "forms"
    label = "Form"
    endpoint = ToolEndpoint.FORMS
    resources = ("Forms",)  # [U] resource name not observed (API-NOTES A9)

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Template", values.label(f.get("form_template"))),
                ("Private", values.label(f.get("private"))),
            ],
            sections=[
                Section(heading="Description", paragraphs=[values.text_of(f, "description")])
            ],
        )
