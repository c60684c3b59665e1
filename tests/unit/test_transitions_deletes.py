"""Answering held-back deletes, and resuming after a safety stop, as pure phase changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.admin import ProjectConflict
from shared.admin.transitions import (
    DeletesDecision,
    deletes_answered,
    is_stopped,
    paused,
    resumed,
)
from shared.state.projects import Phase, Project

NOW = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)
REASON = "40 of 60 synced items would be deleted at once (more than 50%); nothing was written"


def project(phase: Phase, **changes: object) -> Project:
    return Project.model_validate(
        {
            "company_id": 1,
            "project_id": 2,
            "project_name": "Harbor View Tower",
            "site_id": "site",
            "drive_id": "drive",
            "folder_path": "Projects/Harbor View",
            "phase": phase,
            "initial_run_id": "run-1",
            **changes,
        }
    )


def stopped(**changes: object) -> Project:
    return project(
        Phase.ERROR,
        stopped_reason=REASON,
        last_error=f"safety stop: {REASON}",
        last_error_at=NOW,
        **changes,
    )


def test_only_a_safety_stop_counts_as_stopped() -> None:
    assert is_stopped(stopped())
    assert not is_stopped(project(Phase.ERROR, last_error="boom"))
    assert not is_stopped(project(Phase.REGULAR))


@pytest.mark.parametrize("decision", ["approve", "restore"])
def test_an_answer_waits_for_the_next_pass_of_a_regular_project(decision: DeletesDecision) -> None:
    answered = deletes_answered(project(Phase.REGULAR), decision, held=3)
    assert answered is not None
    assert (answered.phase, answered.deletes_decision) == (Phase.REGULAR, decision)


@pytest.mark.parametrize("decision", ["approve", "restore"])
def test_answering_a_safety_stop_brings_the_project_back_to_regular(
    decision: DeletesDecision,
) -> None:
    answered = deletes_answered(stopped(), decision, held=40)
    assert answered is not None
    assert answered.phase == Phase.REGULAR
    assert answered.deletes_decision == decision
    assert (answered.stopped_reason, answered.last_error, answered.last_error_at) == (
        None,
        None,
        None,
    )


def test_a_stopped_project_paused_meanwhile_resumes_to_regular_once_answered() -> None:
    held_while_paused = paused(stopped(), NOW)
    assert held_while_paused is not None
    answered = deletes_answered(held_while_paused, "approve", held=2)
    assert answered is not None
    assert (answered.phase, answered.paused_from) == (Phase.PAUSED, Phase.REGULAR)
    assert answered.stopped_reason is None
    assert resumed(answered).phase == Phase.REGULAR


def test_nothing_held_back_is_nothing_to_answer() -> None:
    with pytest.raises(ProjectConflict, match="holds no deletes back; there is nothing to restore"):
        deletes_answered(stopped(), "restore", held=0)


@pytest.mark.parametrize("phase", [Phase.CONNECTING, Phase.INITIAL_SYNC])
def test_held_deletes_are_not_answered_during_an_initial_sync(phase: Phase) -> None:
    with pytest.raises(ProjectConflict, match="running its initial sync"):
        deletes_answered(project(phase), "approve", held=1)


def test_the_same_answer_twice_changes_nothing_and_a_new_answer_replaces_it() -> None:
    waiting = project(Phase.REGULAR, deletes_decision="approve")
    assert deletes_answered(waiting, "approve", held=1) is None
    changed = deletes_answered(waiting, "restore", held=1)
    assert changed is not None and changed.deletes_decision == "restore"


def test_resuming_a_stop_that_holds_deletes_asks_for_an_answer() -> None:
    with pytest.raises(ProjectConflict) as refused:
        resumed(stopped(), held=40)
    message = refused.value.message
    assert REASON in message
    assert "holds 40 delete(s) back" in message
    assert "POST /api/projects/1-2/deletes/approve" in message
    assert "POST /api/projects/1-2/deletes/restore" in message


def test_resuming_a_stop_that_holds_nothing_goes_back_to_regular() -> None:
    again = resumed(stopped(), held=0)
    assert (again.phase, again.stopped_reason, again.last_error) == (Phase.REGULAR, None, None)


def test_an_error_that_is_not_a_safety_stop_is_still_not_resumable() -> None:
    with pytest.raises(ProjectConflict, match="is not paused"):
        resumed(project(Phase.ERROR, last_error="boom"), held=3)
