"""The delete limit, held-back deletes and the safety stops of a change pass (DESIGN §4).

Deletes beyond the project's limit per 24 hours are held back (Work table) and emailed, one
email per episode; the administrator approves or restores them. A pass that would delete more
than `DELETE_SHARE_STOP` of the project, or finds its mapped folder gone, stops before writing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from shared import runtime
from shared.errors import ApiError, Throttled
from shared.queues import Notify
from shared.state.items import ItemKind
from shared.state.log import LogAction
from shared.state.pending import Area, HeldDelete
from shared.state.projects import Phase
from shared.sync import change_apply, reconcile
from shared.sync.model import Side
from shared.sync.pass_context import Pass
from shared.sync.pass_plan import Step, leave_for_later
from shared.sync.records import photos_key
from shared.sync.refusals import refusal
from shared.sync.safety import DeleteBudget, limit_deletes

log = logging.getLogger("sync")
HELD_EMAIL_DELAY_S = 10
SHARE_STOP_MIN_DELETES = 5
"""The share-of-project safety stop looks only at passes deleting at least this many items."""


def share_stop(current: Pass, deletes: list[Step]) -> str | None:
    if len(deletes) < SHARE_STOP_MIN_DELETES:
        return None
    tracked = sum(1 for _ in current.store.items.list_items(current.key))
    share = current.settings.delete_share_stop
    if tracked and len(deletes) / tracked > share:
        return (
            f"{len(deletes)} of {tracked} synced items would be deleted at once "
            f"(more than {share:.0%}); nothing was written"
        )
    return None


def limit(current: Pass, deletes: list[Step], now: datetime) -> tuple[list[Step], list[Step]]:
    budget = DeleteBudget(limit=_delete_limit(current), recent=current.project.recent_deletes)
    ordered = sorted(deletes, key=lambda s: -s.depth)
    allowed, held_back = limit_deletes(ordered, budget, now)
    if allowed:
        count_deletes(current, len(allowed), now)
    return allowed, held_back


def _delete_limit(current: Pass) -> int:
    limit = current.project.delete_limit
    return current.settings.delete_limit_per_day if limit is None else limit


def remaining(current: Pass, now: datetime) -> int:
    budget = DeleteBudget(limit=_delete_limit(current), recent=current.project.recent_deletes)
    return budget.remaining(now)


def count_deletes(current: Pass, count: int, now: datetime) -> None:
    """Remember when deletes were carried out, for the limit's 24-hour window."""
    limit = _delete_limit(current)
    stamps = [at for at in current.project.recent_deletes if now - at < timedelta(hours=24)]
    stamps.extend([now] * count)
    current.project = current.store.projects.modify(
        current.key, lambda p: p.model_copy(update={"recent_deletes": stamps[-(limit + 1) :]})
    )


def _held_of(step: Step, now: datetime) -> HeldDelete:
    assert step.base is not None and step.delete is not None
    return HeldDelete(
        procore_id=step.base.procore_id,
        sharepoint_id=step.base.sharepoint_id,
        deleted_on=step.delete.source.value,
        name=step.base.procore_name,
        path=step.base.path,
        is_folder=step.base.kind == ItemKind.FOLDER,
        held_at=now,
    )


def record_held(current: Pass, steps: list[Step], why: str) -> None:
    now = datetime.now(UTC)
    current.store.held.hold(current.key, [_held_of(s, now) for s in steps])
    current.held_now += len(steps)
    for step in steps:
        assert step.base is not None and step.delete is not None
        current.record(
            LogAction.SKIPPED,
            procore_id=step.base.procore_id,
            sharepoint_id=step.base.sharepoint_id,
            name=step.base.procore_name,
            path=step.base.path,
            reason=f"deleted in {step.delete.source.value}; {why} until an administrator "
            "approves or restores it",
        )


def tell_held(current: Pass) -> None:
    """One email per episode of held deletes (from the first hold until the administrator
    answers), sent a little later so deletes arriving over a few passes go out together; the
    email is built from the held deletes as they are when it is sent."""
    first = min((h.held_at for h in current.store.held.list_for(current.key)), default=None)
    if first is None:
        return
    runtime.queue_sender().send(
        Notify(
            project_key=current.key,
            kind="deletes_held",
            run_id=f"held-{int(first.timestamp() * 1000)}",
        ),
        delay_s=HELD_EMAIL_DELAY_S,
    )


def is_held(step: Step, held: list[HeldDelete]) -> bool:
    return step.base is not None and any(h.procore_id == step.base.procore_id for h in held)


def held_as_steps(current: Pass, held: list[HeldDelete], deletes: list[Step]) -> list[Step]:
    """Approved held deletes not already in this batch, as delete steps on their fresh base."""
    in_batch = {s.base.procore_id for s in deletes if s.base is not None}
    steps: list[Step] = []
    for h in held:
        if h.procore_id in in_batch:
            continue
        base = current.store.items.find_by_procore(current.key, h.procore_id)
        if base is None:
            continue
        steps.append(
            Step(
                base,
                None,
                None,
                None,
                None,
                [reconcile.Delete(Side(h.deleted_on))],
                h.path.count("/"),
            )
        )
    return steps


def restore_held(current: Pass, held: list[HeldDelete]) -> None:
    """The administrator chose restore: each held item is made again on the side it was
    deleted on, from the other side's copy, parents first."""
    for h in sorted(held, key=lambda h: h.path.count("/")):
        base = current.store.items.find_by_procore(current.key, h.procore_id)
        if base is None:
            continue
        current.gone_sharepoint.discard(base.sharepoint_id)
        current.gone_procore.discard(base.procore_id)
        try:
            if h.deleted_on == Side.SHAREPOINT.value:
                current.store.items.delete(base)
                change_apply.create_in_sharepoint(
                    current, change_apply.entry_of(base), restored=True
                )
            else:
                item = runtime.graph_client().get_item(current.drive, base.sharepoint_id)
                current.store.items.delete(base)
                change_apply.create_in_procore(current, item, restored=True)
        except Throttled:
            raise
        except ApiError as exc:
            step = Step(base, None, None, None, None, [reconcile.Restore(Side(h.deleted_on))])
            leave_for_later(current, step, h.name)
            current.record(LogAction.ERROR, name=h.name, path=h.path, reason=refusal(exc))


def settle_held(current: Pass, held: list[HeldDelete]) -> None:
    """Held deletes whose pair has since been restored (an edit won) or forgotten are done."""
    settled = []
    for h in held:
        partition = current.key if h.area is Area.DOCUMENTS else photos_key(current.key)
        base = current.store.items.find_by_procore(partition, h.procore_id)
        if base is None or base.sharepoint_id != h.sharepoint_id:
            settled.append(h)
    if settled:
        current.store.held.release(current.key, settled)


def stop(current: Pass, reason: str, deletes: list[Step]) -> None:
    """A safety stop: nothing is written, the project shows why and the administrator is told."""
    if deletes:
        record_held(current, deletes, "held back by a safety stop")
    current.project = current.store.projects.modify(
        current.key,
        lambda p: p.model_copy(
            update={
                "phase": Phase.ERROR,
                "stopped_reason": reason,
                "last_error": f"safety stop: {reason}",
                "last_error_at": datetime.now(UTC),
            }
        ),
    )
    current.record(LogAction.ERROR, reason=f"safety stop: {reason}")
    log.warning("safety stop", extra={"project_key": current.key, "reason": reason})
    runtime.queue_sender().send(
        Notify(project_key=current.key, kind="sync_stopped", run_id=uuid.uuid4().hex)
    )


# --- photos and the end of the pass ---------------------------------------------------------------
