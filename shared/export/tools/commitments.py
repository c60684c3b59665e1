"""Commitments (subcontracts and purchase orders): vendor, contract type, status and value
([U]: webhook resource name not in our notes)."""

from __future__ import annotations

from shared.export import values
from shared.export.document import ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import ToolItem


class Commitments(ExportTool):
    name = "commitments"
    label = "Commitment"
    endpoint = ToolEndpoint.COMMITMENTS
    resources = ("Commitments",)  # [U] resource name not observed (API-NOTES A9)

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Contract type", values.label(f.get("contract_type"))),
                ("Vendor", values.label(f.get("vendor"))),
                ("Grand total", values.money(f.get("grand_total"))),
                ("Executed", values.label(f.get("executed"))),
            ],
            sections=[
                Section(heading="Description", paragraphs=[values.text_of(f, "description")])
            ],
        )
