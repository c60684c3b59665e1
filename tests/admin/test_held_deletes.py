"""The project view's regular-sync sections and the answer to held deletes, over a real state
store (Azurite) with fake APIs and a recording queue: given a project in regular sync with
pending changes, held deletes and a log, when the administrator looks or answers, then the view,
the row and the queue hold this."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from azure.core.exceptions import ServiceRequestError

from shared.admin import ProjectAdmin, ProjectConflict, UnknownProject
from shared.admin.transitions import DeletesDecision
from shared.admin.views import CONFLICTS_SHOWN, HELD_SHOWN, PENDING_SHOWN, VIEW_TEXT_MAX_CHARS
from shared.queues import ProjectTick
from shared.state import StateStore
from shared.state.log import LogAction
from shared.state.pending import Area, HeldDelete, PendingChange
from shared.state.projects import Phase
from tests.admin.fakes import COMPANY, PROJECT, RecordingSender
from tests.admin.test_service import connect_request
from tests.state.clock import MovableClock

KEY = f"{COMPANY}-{PROJECT}"
REASON = "12 of 20 synced items would be deleted at once (more than 50%); nothing was written"


@pytest.fixture
def regular(admin: ProjectAdmin, store: StateStore, sender: RecordingSender) -> str:
    """A connected project whose initial sync is done (the connect's message consumed)."""
    admin.connect(connect_request())
    store.projects.modify(KEY, lambda p: p.model_copy(update={"phase": Phase.REGULAR}))
    sender.sent.clear()
    return KEY


def stop(store: StateStore) -> None:
    """What the change pass's safety stop leaves behind."""
    store.projects.modify(
        KEY,
        lambda p: p.model_copy(
            update={
                "phase": Phase.ERROR,
                "stopped_reason": REASON,
                "last_error": f"safety stop: {REASON}",
                "last_error_at": store.projects.clock(),
            }
        ),
    )


def hold(store: StateStore, count: int, first: int = 0) -> list[HeldDelete]:
    rows = [
        HeldDelete(
            procore_id=4300900000 + n,
            sharepoint_id=f"01HELD{n:04}",
            deleted_on="sharepoint" if n % 2 else "procore",
            name=f"plan {n:03}.pdf",
            path=f"Drawings/plan {n:03}.pdf",
            held_at=store.projects.clock(),
        )
        for n in range(first, first + count)
    ]
    store.held.hold(KEY, rows)
    return rows


def pending(store: StateStore, count: int) -> None:
    def item(n: int) -> str:
        if n % 3 == 0:
            return json.dumps({"id": f"01PEND{n:04}", "deleted": {"state": "deleted"}})
        return json.dumps(
            {"id": f"01PEND{n:04}", "name": f"notes {n}.docx", "file": {}, "size": 10}
        )

    store.pending.put_many(
        KEY,
        [
            PendingChange(
                item_id=f"01PEND{n:04}",
                area=Area.DOCUMENTS,
                item_json=item(n),
                seen_at=store.projects.clock(),
            )
            for n in range(count)
        ],
    )


# --- the view ---------------------------------------------------------------------------------


def test_a_quiet_project_shows_empty_sections(admin: ProjectAdmin, regular: str) -> None:
    shown = admin.show(regular)
    assert (shown.pending.count, shown.pending.items) == (0, [])
    assert (shown.held_deletes.count, shown.held_deletes.items) == (0, [])
    assert shown.conflicts == []
    assert (shown.stopped_reason, shown.deletes_decision) == (None, None)
    assert [line.detail for line in shown.recent_activity] == [
        line.detail for line in shown.recent_log
    ]


def test_the_view_counts_the_backlog_in_full_and_lists_its_first_entries(
    admin: ProjectAdmin, store: StateStore, regular: str
) -> None:
    pending(store, PENDING_SHOWN + 10)
    hold(store, HELD_SHOWN + 5)
    shown = admin.show(regular)

    assert shown.pending.count == PENDING_SHOWN + 10
    assert len(shown.pending.items) == PENDING_SHOWN
    by_id = {line.item_id: line for line in shown.pending.items}
    assert (by_id["01PEND0000"].name, by_id["01PEND0000"].deleted) == (None, True)
    assert (by_id["01PEND0001"].name, by_id["01PEND0001"].deleted) == ("notes 1.docx", False)
    assert by_id["01PEND0001"].area == "documents"
    assert not by_id["01PEND0001"].is_folder

    assert shown.held_deletes.count == HELD_SHOWN + 5
    assert len(shown.held_deletes.items) == HELD_SHOWN
    first = shown.held_deletes.items[0]
    assert (first.path, first.deleted_on, first.procore_id, first.sharepoint_id) == (
        "Drawings/plan 000.pdf",
        "procore",
        4300900000,
        "01HELD0000",
    )


def test_the_view_shows_recent_conflicts_and_cuts_long_text(
    admin: ProjectAdmin, store: StateStore, clock: MovableClock, regular: str
) -> None:
    for n in range(CONFLICTS_SHOWN + 5):
        clock.advance(timedelta(seconds=1))
        store.log.append(
            store.log.entry(
                KEY,
                LogAction.CONFLICT,
                side="sharepoint",
                name=f"plan {n:02}.pdf",
                path=f"Drawings/plan {n:02}.pdf",
                reason="both sides changed; the Procore copy was newer",
            )
        )
    for n in range(60):
        clock.advance(timedelta(seconds=1))
        store.log.append(store.log.entry(KEY, LogAction.COPIED, name=f"file {n:02}.pdf"))
    clock.advance(timedelta(seconds=1))
    store.log.append(store.log.entry(KEY, LogAction.SKIPPED, name="x" * 3000, reason="too long"))

    shown = admin.show(regular)
    assert len(shown.recent_activity) == 50
    assert shown.recent_activity[0].action == LogAction.SKIPPED
    assert shown.recent_activity[0].name is not None
    assert len(shown.recent_activity[0].name) == VIEW_TEXT_MAX_CHARS
    assert shown.recent_activity[1].name == "file 59.pdf"
    assert all(line.action != LogAction.CONFLICT for line in shown.recent_activity)
    assert len(shown.conflicts) == CONFLICTS_SHOWN
    assert shown.conflicts[0].name == f"plan {CONFLICTS_SHOWN + 4:02}.pdf"
    assert shown.conflicts[0].reason == "both sides changed; the Procore copy was newer"
    assert shown.conflicts[0].side == "sharepoint"
    assert len(shown.model_dump_json()) < 200_000


# --- approve and restore ----------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "restore"])
def test_nothing_held_back_is_refused_and_nothing_is_queued(
    admin: ProjectAdmin,
    store: StateStore,
    sender: RecordingSender,
    regular: str,
    decision: DeletesDecision,
) -> None:
    with pytest.raises(ProjectConflict) as refused:
        admin.answer_deletes(regular, decision)
    assert refused.value.status == 409
    assert refused.value.body() == {
        "error": f"project {KEY} holds no deletes back; there is nothing to {decision}"
    }
    assert store.projects.get(KEY).deletes_decision is None
    assert sender.sent == []


def test_approving_held_deletes_records_the_answer_and_runs_a_pass_at_once(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, regular: str
) -> None:
    hold(store, 3)
    shown = admin.answer_deletes(regular, "approve")
    assert (shown.phase, shown.deletes_decision) == (Phase.REGULAR, "approve")
    assert store.projects.get(KEY).deletes_decision == "approve"
    assert sender.sent == [ProjectTick(project_key=KEY, tick_id="run-2", reason="deletes_approve")]
    assert shown.recent_activity[0].detail == "3 held delete(s): approve requested"
    assert shown.held_deletes.count == 3


def test_restoring_answers_a_safety_stop_and_brings_the_project_back_to_regular(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, regular: str
) -> None:
    hold(store, 12)
    stop(store)
    before = admin.show(regular)
    assert (before.phase, before.stopped_reason) == (Phase.ERROR, REASON)
    assert before.last_error == f"safety stop: {REASON}"

    shown = admin.answer_deletes(regular, "restore")
    row = store.projects.get(KEY)
    assert (row.phase, row.deletes_decision, row.stopped_reason) == (
        Phase.REGULAR,
        "restore",
        None,
    )
    assert (row.last_error, row.last_error_at) == (None, None)
    assert shown.stopped_reason is None
    assert sender.sent == [ProjectTick(project_key=KEY, tick_id="run-2", reason="deletes_restore")]
    assert shown.recent_activity[0].detail == (
        f"12 held delete(s): restore requested; the safety stop ({REASON}) is answered, back "
        "to regular"
    )


def test_an_answer_that_cannot_be_queued_still_stands_for_the_next_poll(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, regular: str
) -> None:
    hold(store, 1)
    sender.error = ServiceRequestError("queue down")
    shown = admin.answer_deletes(regular, "approve")
    assert store.projects.get(KEY).deletes_decision == "approve"
    assert shown.recent_activity[0].detail == (
        "the change pass could not be queued now; the next poll runs it"
    )


def test_answers_for_an_unknown_project_are_not_found(admin: ProjectAdmin) -> None:
    with pytest.raises(UnknownProject):
        admin.answer_deletes(KEY, "approve")


# --- resume after a safety stop ---------------------------------------------------------------


def test_resuming_a_stop_with_held_deletes_is_refused_with_how_to_answer(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, regular: str
) -> None:
    hold(store, 12)
    stop(store)
    with pytest.raises(ProjectConflict) as refused:
        admin.resume(regular)
    assert refused.value.status == 409
    assert refused.value.message == (
        f"project {KEY} was stopped by a safety stop ({REASON}) and holds 12 delete(s) back; "
        f"answer them instead of resuming: POST /api/projects/{KEY}/deletes/approve to carry "
        f"them out, or POST /api/projects/{KEY}/deletes/restore to put the items back where "
        "they were deleted"
    )
    row = store.projects.get(KEY)
    assert (row.phase, row.stopped_reason) == (Phase.ERROR, REASON)
    assert sender.sent == []


def test_resuming_a_stop_that_holds_nothing_goes_back_to_regular_and_runs_a_pass(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, regular: str
) -> None:
    store.projects.modify(
        KEY,
        lambda p: p.model_copy(
            update={
                "phase": Phase.ERROR,
                "stopped_reason": "the mapped project folder was deleted in SharePoint",
            }
        ),
    )
    shown = admin.resume(regular)
    assert (shown.phase, shown.stopped_reason) == (Phase.REGULAR, None)
    assert sender.sent == [ProjectTick(project_key=KEY, tick_id="run-2", reason="resumed")]
    assert shown.recent_activity[0].detail == (
        "resumed after the safety stop (the mapped project folder was deleted in SharePoint)"
    )
