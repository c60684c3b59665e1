"""Each tool module: what its PDF shows, when it needs the detail, how its files are named; and
the webhook resource mapping the regular sync uses."""

from __future__ import annotations

from typing import Any

import pytest

from shared.export.schedule import RESOURCE_TOOLS, tools_for_resources, webhook_resources
from shared.export.tools import EXPORT_TOOLS, Download
from shared.mapping import ONE_WAY_TOOLS
from shared.procore.tool_models import ToolItem

PAT = {"id": 1, "name": "Pat Builder", "login": "pat@example.com"}
ANA = {"id": 2, "name": "Ana Architect", "company": {"name": "Studio A"}}
BASE: dict[str, Any] = {
    "id": 4300100500,
    "created_at": "2025-03-01T10:00:00Z",
    "updated_at": "2025-03-04T09:30:00Z",
    "created_by": PAT,
    "attachments": [{"id": 9, "name": "a.pdf", "url": "http://x/prostore/blobs/9", "size": 10}],
}


def document_text(tool: str, fields: dict[str, Any]) -> str:
    item = ToolItem.model_validate({**BASE, **fields})
    document = EXPORT_TOOLS[tool].document(item, "Harbor View Tower")
    parts = [document.heading, document.project, *(f"{k}: {v}" for k, v in document.fields)]
    for section in document.sections:
        parts += [section.heading, *section.paragraphs]
        parts += [f"{e.author} {e.date} {e.note} {e.text}" for e in section.entries]
    return "\n".join([*parts, *document.attachments])


def test_every_one_way_tool_has_a_module() -> None:
    assert set(EXPORT_TOOLS) == {t.value for t in ONE_WAY_TOOLS}


def test_rfi_shows_question_responses_people_and_dates() -> None:
    text = document_text(
        "rfis",
        {
            "number": "12",
            "subject": "Slab edge detail",
            "status": "open",
            "due_date": "2025-04-01",
            "assignees": [PAT],
            "questions": [
                {
                    "body": "<p>Is the edge <b>thickened</b>?</p>",
                    "created_by": PAT,
                    "answers": [
                        {
                            "plain_text_body": "Yes, 250 mm.",
                            "created_by": ANA,
                            "created_at": "2025-03-04T09:30:00Z",
                            "official": True,
                        }
                    ],
                }
            ],
        },
    )
    for expected in (
        "RFI-012: Slab edge detail",
        "Project: Harbor View Tower",
        "Status: open",
        "Due date: 2025-04-01",
        "Assignees: Pat Builder",
        "Created: 2025-03-01 10:00 UTC",
        "Is the edge thickened?",
        "Responses (1)",
        "Ana Architect (Studio A) 2025-03-04 09:30 UTC official response Yes, 250 mm.",
        "a.pdf",
    ):
        assert expected in text, expected


def test_rfi_list_rows_without_questions_need_the_detail() -> None:
    rfis = EXPORT_TOOLS["rfis"]
    assert rfis.needs_detail(ToolItem.model_validate({**BASE, "subject": "x"}))
    assert not rfis.needs_detail(ToolItem.model_validate({**BASE, "questions": []}))
    assert not EXPORT_TOOLS["observations"].needs_detail(ToolItem.model_validate(BASE))


@pytest.mark.parametrize(
    ("tool", "fields", "expected"),
    [
        (
            "submittals",
            {
                "formatted_number": "03 30 00-1",
                "title": "Mix",
                "approvers": [ANA],
                "specification_section": {"description": "Concrete"},
            },
            [
                "03 30 00-1: Mix",
                "Specification section: Concrete",
                "Approvers (1)",
                "Ana Architect",
            ],
        ),
        (
            "forms",
            {"name": "Pre-task plan", "form_template": {"name": "PTP"}},
            ["Form: Pre-task plan", "Template: PTP"],
        ),
        (
            "observations",
            {
                "number": 3,
                "name": "Guardrail",
                "priority": "High",
                "assignee": PAT,
                "description": "Open edge",
            },
            ["OBS-003: Guardrail", "Priority: High", "Assignee: Pat Builder", "Open edge"],
        ),
        (
            "inspections",
            {
                "number": 4,
                "name": "Pre-pour",
                "inspection_type": {"name": "Quality"},
                "item_count": 12,
                "conforming_item_count": 10,
            },
            ["INS-004: Pre-pour", "Type: Quality", "items: 12, conforming: 10"],
        ),
        (
            "incidents",
            {"title": "Near miss", "event_date": "2025-03-03", "recordable": False},
            ["Incident: Near miss", "Event date: 2025-03-03", "Recordable: no"],
        ),
        (
            "commitments",
            {
                "number": "SC-001",
                "title": "Concrete",
                "vendor": {"name": "Acme"},
                "grand_total": 125000,
            },
            ["SC-001: Concrete", "Vendor: Acme", "Grand total: 125,000.00"],
        ),
    ],
)
def test_tool_documents(tool: str, fields: dict[str, Any], expected: list[str]) -> None:
    text = document_text(tool, fields)
    for line in expected:
        assert line in text, (line, text)


def test_drawings_copy_the_current_revisions_own_pdf() -> None:
    drawings = EXPORT_TOOLS["drawings"]
    fields = {
        **BASE,
        "number": "A-101",
        "title": "Floor plan",
        "revision_number": "3",
        "drawing_id": 77,
        "current": True,
        "pdf_url": "http://x/prostore/blobs/5",
        "pdf_size": 1234,
    }
    row = ToolItem.model_validate(fields)
    assert drawings.stem(row) == "A-101 Floor plan Rev 3"
    assert drawings.record_id(row) == 77
    assert drawings.pdf(row, "P") == Download("http://x/prostore/blobs/5", 1234)
    assert drawings.attachments(row) == []
    assert drawings.wanted(row)
    assert not drawings.wanted(ToolItem.model_validate({**fields, "current": False}))


def test_webhook_resources_map_to_tools() -> None:
    assert tools_for_resources(["RFIs", "RFI Replies", "Project Files", "Drawing Sets"]) == {
        "rfis",
        "drawings",
    }
    assert webhook_resources(["rfis", "observations"]) == [
        "Observation Items",
        "RFI Replies",
        "RFIs",
    ]
    assert set(RESOURCE_TOOLS.values()) == set(EXPORT_TOOLS)
