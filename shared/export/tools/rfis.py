"""RFIs (API-NOTES A8): the question(s), every response with its author and date, the people
responsible, due date and impacts. The list is compact, so the detail is fetched ([U])."""

from __future__ import annotations

from typing import Any

from shared.export import values
from shared.export.document import Entry, ExportDocument, Section
from shared.export.tools.base import ExportTool
from shared.procore.tool_items import ToolEndpoint
from shared.procore.tool_models import ToolItem


def _answers(question: dict[str, Any]) -> list[Entry]:
    return [
        Entry(
            author=values.person(answer.get("created_by")),
            date=values.when(answer.get("created_at")),
            text=values.text_of(answer, "plain_text_body", "body"),
            note="official response" if answer.get("official") else "",
        )
        for answer in question.get("answers") or []
        if isinstance(answer, dict)
    ]


class Rfis(ExportTool):
    name = "rfis"
    label = "RFI"
    endpoint = ToolEndpoint.RFIS
    resources = ("RFIs", "RFI Replies")
    number_prefix = "RFI-"
    detail_fields = ("questions",)

    def document(self, item: ToolItem, project_name: str) -> ExportDocument:
        f = item.fields
        questions = [q for q in f.get("questions") or [] if isinstance(q, dict)]
        question_text = "\n\n".join(
            t for t in (values.text_of(q, "plain_text_body", "body") for q in questions) if t
        )
        asked_by = values.person(questions[0].get("created_by")) if questions else ""
        responses = [entry for q in questions for entry in _answers(q)]
        return self.base_document(
            item,
            project_name,
            [
                *self.common_fields(item),
                ("Due date", values.when(f.get("due_date"))),
                ("RFI manager", values.person(f.get("rfi_manager"))),
                ("Assignees", values.person(f.get("assignees"))),
                ("Ball in court", values.person(f.get("ball_in_court"))),
                ("Asked by", asked_by),
                ("Responsible contractor", values.label(f.get("responsible_contractor"))),
                ("Location", values.label(f.get("location"))),
                ("Cost impact", values.label(f.get("cost_impact"))),
                ("Schedule impact", values.label(f.get("schedule_impact"))),
            ],
            sections=[
                Section(heading="Question", paragraphs=[question_text or "(no question text)"]),
                Section(heading=f"Responses ({len(responses)})", entries=responses),
            ],
        )
