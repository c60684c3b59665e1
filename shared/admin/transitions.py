"""Phase changes the administrator asks for: pause, resume, re-run the initial sync, and the
answer to held-back deletes (approve or restore), which is also how a safety stop is answered.

Pure (no I/O): each takes the project as read and returns it changed, None when the call changes
nothing (a repeated pause), or raises `ProjectConflict` when the change makes no sense. Run inside
`ProjectRepository.modify`, so a lost race re-reads and decides again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.admin.errors import ProjectConflict
from shared.state.projects import Phase, Project, ProjectCounters

PAUSABLE = frozenset({Phase.INITIAL_SYNC, Phase.REGULAR, Phase.ERROR})

DeletesDecision = Literal["approve", "restore"]

ANSWER_HELD_DELETES = (
    "POST /api/projects/{key}/deletes/approve to carry them out, or "
    "POST /api/projects/{key}/deletes/restore to put the items back where they were deleted"
)


def is_stopped(project: Project) -> bool:
    """Halted by a safety stop of the change pass (DESIGN §4), not by the administrator."""
    return project.phase == Phase.ERROR and project.stopped_reason is not None


def _paused_while_stopped(project: Project) -> bool:
    return (
        project.phase == Phase.PAUSED
        and project.paused_from == Phase.ERROR
        and project.stopped_reason is not None
    )


def _unstopped(project: Project, **update: object) -> Project:
    """The project out of its safety stop: back to `regular` (or to resume to it when paused),
    the stop's reason and error cleared."""
    cleared: dict[str, object] = {
        "stopped_reason": None,
        "last_error": None,
        "last_error_at": None,
        **update,
    }
    if project.phase == Phase.PAUSED:
        cleared["paused_from"] = Phase.REGULAR
    else:
        cleared["phase"] = Phase.REGULAR
    return project.model_copy(update=cleared)


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


def resumed(project: Project, *, held: int = 0) -> Project:
    """The project back in the phase it was paused in; a project halted by a safety stop goes
    back to `regular` when nothing is held back (the cause was put right, e.g. the mapped
    folder restored from the recycle bin; if it was not, the next pass stops again). `held`
    is how many deletes are held back: those need an answer, not a resume."""
    if is_stopped(project):
        if held:
            raise ProjectConflict(
                f"project {project.key} was stopped by a safety stop ({project.stopped_reason}) "
                f"and holds {held} delete(s) back; answer them instead of resuming: "
                + ANSWER_HELD_DELETES.format(key=project.key)
            )
        return _unstopped(project)
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


def deletes_answered(project: Project, decision: DeletesDecision, held: int) -> Project | None:
    """The project carrying the administrator's answer to its `held` held-back deletes for the
    next pass; a stopped project goes back to `regular` (that is how a safety stop is answered).
    None when the same answer is already waiting and nothing else changes.

    Refused when nothing is held back, and while an initial sync is running (it builds a new
    base; the deletes held against the old one are no longer the question).
    """
    if held <= 0:
        raise ProjectConflict(
            f"project {project.key} holds no deletes back; there is nothing to {decision}"
        )
    if project.phase in (Phase.CONNECTING, Phase.INITIAL_SYNC):
        raise ProjectConflict(
            f"project {project.key} is running its initial sync (run "
            f"{project.initial_run_id}); held deletes are answered once it is in regular sync"
        )
    if is_stopped(project) or _paused_while_stopped(project):
        return _unstopped(project, deletes_decision=decision)
    if project.deletes_decision == decision:
        return None
    return project.model_copy(update={"deletes_decision": decision})
