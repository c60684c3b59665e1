"""Pause, resume and re-run as phase changes: which make sense, and what they remember."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.admin import ProjectConflict
from shared.admin.transitions import paused, rerun, resumed
from shared.state.projects import Phase, Project, ProjectCounters, SyncMode

NOW = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)


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


@pytest.mark.parametrize("phase", [Phase.INITIAL_SYNC, Phase.REGULAR, Phase.ERROR])
def test_a_pause_remembers_the_phase_and_a_resume_restores_it(phase: Phase) -> None:
    stopped = paused(project(phase), NOW)
    assert stopped is not None
    assert (stopped.phase, stopped.paused_from, stopped.paused_at) == (Phase.PAUSED, phase, NOW)
    again = resumed(stopped)
    assert (again.phase, again.paused_from, again.paused_at) == (phase, None, None)


def test_pausing_a_paused_project_changes_nothing() -> None:
    stopped = paused(project(Phase.REGULAR), NOW)
    assert stopped is not None
    assert paused(stopped, NOW) is None


def test_a_project_still_connecting_cannot_be_paused() -> None:
    with pytest.raises(ProjectConflict, match="is connecting"):
        paused(project(Phase.CONNECTING), NOW)


@pytest.mark.parametrize("phase", [Phase.INITIAL_SYNC, Phase.REGULAR, Phase.ERROR])
def test_resuming_a_project_that_is_not_paused_is_a_conflict(phase: Phase) -> None:
    with pytest.raises(ProjectConflict) as refused:
        resumed(project(phase))
    assert refused.value.message == (
        f"project 1-2 is not paused (phase {phase.value}); nothing to resume"
    )
    assert refused.value.status == 409


@pytest.mark.parametrize("phase", [Phase.REGULAR, Phase.ERROR])
def test_a_rerun_starts_a_fresh_initial_sync(phase: Phase) -> None:
    before = project(
        phase,
        mode=SyncMode.MIRROR,
        run_counters=ProjectCounters(files_copied=7),
        counters=ProjectCounters(files_copied=9),
        last_error="boom",
        initial_delta_link="https://graph/delta?token=1",
        initial_sync_finished_at=NOW,
    )
    after = rerun(before, "run-2", NOW)
    assert after.phase == Phase.INITIAL_SYNC
    assert after.initial_run_id == "run-2"
    assert after.mode is None
    assert after.run_counters == ProjectCounters()
    assert after.counters == ProjectCounters(files_copied=9)
    assert after.last_error is None
    assert after.initial_delta_link is None
    assert after.initial_sync_started_at == NOW
    assert after.initial_sync_finished_at is None


def test_a_rerun_during_an_initial_sync_is_a_conflict_unless_forced() -> None:
    running = project(Phase.INITIAL_SYNC)
    with pytest.raises(ProjectConflict, match=r"already running its initial sync \(run run-1\)"):
        rerun(running, "run-2", NOW)
    assert rerun(running, "run-2", NOW, force=True).initial_run_id == "run-2"


def test_a_rerun_of_a_paused_project_is_a_conflict_unless_forced() -> None:
    stopped = paused(project(Phase.REGULAR), NOW)
    assert stopped is not None
    with pytest.raises(ProjectConflict, match="is paused; resume it"):
        rerun(stopped, "run-2", NOW)
    forced = rerun(stopped, "run-2", NOW, force=True)
    assert (forced.phase, forced.paused_from) == (Phase.INITIAL_SYNC, None)
