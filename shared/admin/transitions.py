"""Phase changes the administrator asks for: pause, resume, re-run the initial sync.

Pure (no I/O): each takes the project as read and returns it changed, None when the call changes
nothing (a repeated pause), or raises `ProjectConflict` when the change makes no sense. Run inside
`ProjectRepository.modify`, so a lost race re-reads and decides again.
"""

from __future__ import annotations

from datetime import datetime

from shared.admin.errors import ProjectConflict
from shared.state.projects import Phase, Project, ProjectCounters

PAUSABLE = frozenset({Phase.INITIAL_SYNC, Phase.REGULAR, Phase.ERROR})


def paused(project: Project, now: datetime) -> Project | None:
    """The project paused, remembering the phase to resume to; None if it already is."""
    if project.phase == Phase.PAUSED:
        return None
    if project.phase not in PAUSABLE:
        raise ProjectConflict(
            f"project {project.key} is {project.phase.value}; it can be paused once connected"
        )
    return project.model_copy(
        update={"phase": Phase.PAUSED, "paused_from": project.phase, "paused_at": now}
    )


def resumed(project: Project) -> Project:
    """The project back in the phase it was paused in."""
    if project.phase != Phase.PAUSED:
        raise ProjectConflict(
            f"project {project.key} is not paused (phase {project.phase.value}); nothing to resume"
        )
    return project.model_copy(
        update={
            "phase": project.paused_from or Phase.REGULAR,
            "paused_from": None,
            "paused_at": None,
        }
    )


def rerun(project: Project, run_id: str, now: datetime, *, force: bool = False) -> Project:
    """The project starting initial sync run `run_id` (its messages make older runs stale).

    Refused while an initial sync is running or the project is paused, unless `force`.
    """
    if not force:
        if project.phase in (Phase.INITIAL_SYNC, Phase.CONNECTING):
            raise ProjectConflict(
                f"project {project.key} is already running its initial sync "
                f"(run {project.initial_run_id}); add ?force=true to start it over"
            )
        if project.phase == Phase.PAUSED:
            raise ProjectConflict(
                f"project {project.key} is paused; resume it before re-running the initial "
                "sync, or add ?force=true"
            )
    return project.model_copy(
        update={
            "phase": Phase.INITIAL_SYNC,
            "paused_from": None,
            "paused_at": None,
            "mode": None,
            "initial_run_id": run_id,
            "initial_delta_link": None,
            "delta_link": None,
            "stopped_reason": None,
            "deletes_decision": None,
            "run_counters": ProjectCounters(),
            "initial_sync_started_at": now,
            "initial_sync_finished_at": None,
            "last_error": None,
            "last_error_at": None,
        }
    )
