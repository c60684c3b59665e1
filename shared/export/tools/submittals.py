"""Submittals (API-NOTES A8): spec section, revision, dates, approvers and their responses."""

from __future__ import annotations

from shared.export import values
from shared.export.document import Entry, ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import Attachment, ToolItem


class Submittals(ExportTool):
    name = "submittals"
    label = "Submittal"
    endpoint = ToolEndpoint.SUBMITTALS
    resources = ("Submittals", "Submittal Packages")
    detail_fields = ("approvers",)

    def attachments(self, item: ToolItem) -> list[Attachment]:
        """`attachments`, plus `associated_attachments` not already among them."""
        seen = {a.id for a in item.attachments if a.id is not None}
        extra = [
            Attachment.model_validate(a)
            for a in item.fields.get("associated_attachments") or []
            if isinstance(a, dict) and a.get("id") not in seen and a.get("url")
        ]
        return [*item.attachments, *extra]

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        approvers = [a for a in f.get("approvers") or [] if isinstance(a, dict)]
        responses = [
            Entry(
                author=values.person(a.get("user") or a),
                date=values.when(a.get("returned_date") or a.get("response_date")),
                text=values.text_of(a, "comment", "plain_text_comment"),
                note=values.label(a.get("response")),
            )
            for a in approvers
        ]
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Revision", values.label(f.get("revision"))),
                ("Specification section", values.label(f.get("specification_section"))),
                ("Package", values.label(f.get("submittal_package"))),
                ("Issue date", values.when(f.get("issue_date"))),
                ("Received date", values.when(f.get("received_date"))),
                ("Due date", values.when(f.get("due_date"))),
                ("Ball in court", values.person(f.get("ball_in_court"))),
            ],
            sections=[
                Section(heading="Description", paragraphs=[values.text_of(f, "description")]),
                Section(heading=f"Approvers ({len(responses)})", entries=responses),
            ],
        )
