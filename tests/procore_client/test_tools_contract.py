"""Contract: the one-way tools' lists, details, attachments and `filters[updated_at]`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.procore import ProcoreClient, Scope, Tool, ToolEndpoint
from tests.procore_client.conftest import Emulator, no_emulator_errors

pytestmark = pytest.mark.integration

DEMO_COUNTS = {
    Tool.RFIS: 3,
    Tool.SUBMITTALS: 2,
    Tool.DRAWING_REVISIONS: 3,
    Tool.FORMS: 2,
    Tool.OBSERVATIONS: 2,
    Tool.INSPECTIONS: 2,
    Tool.INCIDENTS: 1,
    Tool.COMMITMENTS: 2,
}


@pytest.mark.parametrize("tool", list(Tool))
def test_each_tool_lists_its_items_and_details_with_attachments(
    emulator: Emulator, client: ProcoreClient, project: Scope, tool: Tool
) -> None:
    items = list(client.list_tool_items(project, tool))
    assert len(items) == DEMO_COUNTS[tool]
    assert all(i.updated_at is not None for i in items)
    detail = client.get_tool_item(project, tool, items[0].id)
    assert detail.id == items[0].id
    assert detail.fields  # the tool's own fields are kept for the item's PDF
    with_attachments = [client.get_tool_item(project, tool, i.id) for i in items]
    attachments = [a for d in with_attachments for a in d.attachments]
    if attachments:
        content = b"".join(client.download(project, attachments[0].url))
        assert len(content) > 0
        if attachments[0].size is not None:
            assert len(content) == attachments[0].size
    no_emulator_errors(emulator)


def test_rfis_have_numbers_subjects_and_attachments(client: ProcoreClient, project: Scope) -> None:
    rfis = [
        client.get_tool_item(project, Tool.RFIS, i.id)
        for i in client.list_tool_items(project, Tool.RFIS)
    ]
    assert all(r.number and r.title for r in rfis)
    assert any(r.attachments for r in rfis)
    replies = list(client.list_rfi_replies(project, rfis[0].id))
    assert replies and all(r.id for r in replies)


def test_updated_filter_returns_only_touched_items(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    items = list(client.list_tool_items(project, Tool.SUBMITTALS))
    since = max(i.updated_at for i in items if i.updated_at) + timedelta(milliseconds=1)
    assert list(client.list_tool_items(project, Tool.SUBMITTALS, updated_since=since)) == []
    target = next(iter(client.list_tool_items(project, Tool.SUBMITTALS)))
    emulator.control("POST", f"/act/tools/submittals/{target.id}/touch")
    touched = list(client.list_tool_items(project, Tool.SUBMITTALS, updated_since=since))
    assert [t.id for t in touched] == [target.id]


def test_drawings_areas_sets_and_revision_pdfs(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    areas = list(client.list_drawing_areas(project))
    sets = list(client.list_drawing_sets(project))
    assert len(areas) == 1 and len(sets) == 1
    revisions = list(client.list_drawing_revisions(project, drawing_area_id=areas[0].id))
    assert len(revisions) == 3
    revision = client.get_drawing_revision(project, revisions[0].id)
    assert revision.pdf_url
    pdf = b"".join(client.download(project, revision.pdf_url))
    assert pdf.startswith(b"%PDF") or len(pdf) == revision.pdf_size
    no_emulator_errors(emulator)


def test_tool_pages_carry_the_page_count_and_stay_sorted(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    first = client.tool_page(project, ToolEndpoint.RFIS, 1, per_page=2)
    second = client.tool_page(project, ToolEndpoint.RFIS, 2, per_page=2)
    assert (first.last_page, first.total, len(first.rows), len(second.rows)) == (2, 3, 2, 1)
    ids = [r["id"] for r in first.rows + second.rows]
    assert ids == sorted(ids)
    assert "questions" not in first.rows[0]  # compact list: the detail has the questions
    detail = client.get_tool_item(project, ToolEndpoint.RFIS, ids[0])
    answers = detail.fields["questions"][0]["answers"]
    assert answers[0]["created_by"]["name"] and answers[0]["plain_text_body"]
    since = max(
        i.updated_at for i in client.list_tool_items(project, ToolEndpoint.RFIS) if i.updated_at
    )
    empty = client.tool_page(
        project, ToolEndpoint.RFIS, 1, per_page=2, updated_since=since.replace(year=since.year + 1)
    )
    assert (empty.rows, empty.last_page) == ([], 1)
    no_emulator_errors(emulator)
