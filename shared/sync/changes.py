"""A change pass: take what changed on both sides since the last pass, decide, apply (DESIGN §4).

SharePoint changes wait in the project's pending rows (`shared.state.pending`), put there by the
drive's delta pulls (`shared.sync.drive_pull`); the pass that closes an initial sync first reads
the feed itself from the cursor the run took before enumerating, so changes made during the
initial sync are not lost. Procore changes come from the documents index filtered by
`updated_at` since the watermark (with overlap; the recycle bin too, for deletes).

Each touched item goes through `shared.sync.reconcile.decide` against its base; the decisions of
the whole batch are made first (`shared.sync.pass_plan`), so the safety stops and the delete
limit (`shared.sync.pass_deletes`) can look at them all before anything is written. Then
creates, edits, renames and moves are carried out (`shared.sync.change_apply`), parents first,
and deletes last, deepest first. A pending row is removed only once its item is applied;
the Procore watermark moves only when no Procore change was left for later. Anything not ready
(a file still open in Office, a throttled call) brings the project back after a delay.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime, timedelta

from shared import runtime
from shared.config import get_settings
from shared.errors import (
    ApiError,
    InvalidRequest,
    Locked,
    NotFound,
    PreconditionFailed,
    Throttled,
)
from shared.export import schedule
from shared.graph.models import DriveItem
from shared.intake.procore_hooks import DOCUMENT_RESOURCES, PHOTO_RESOURCES, two_way_resources
from shared.procore.models import DocumentEntry
from shared.queues import Notify, ProjectTick
from shared.state.log import LogAction
from shared.state.pending import Area, SkippedChange
from shared.state.projects import Phase, Project
from shared.sync import change_apply, drive_pull, pass_deletes, pass_plan, photo_holds, reconcile
from shared.sync.handling import defer
from shared.sync.pass_context import PASS_LEASE, Pass
from shared.sync.refusals import refusal

log = logging.getLogger("sync")
MIN_RECHECK_S = 5
BUSY_RETRY_S = 5
ERROR_RETRY_S = 60


def tick(message: ProjectTick) -> None:
    """Run one change pass for the project, unless one is running already."""
    store = runtime.state_store()
    project = store.projects.find(message.project_key)
    if project is None or project.phase not in (Phase.REGULAR,):
        return
    if not _route_exports(project, message):
        return
    now = datetime.now(UTC)
    owner = message.tick_id
    taken: list[bool] = []
    coalesce = message.notify_run_id is None

    def take(p: Project) -> Project | None:
        taken.clear()
        if p.pass_owner and p.pass_until and p.pass_until > now and p.pass_owner != owner:
            # Busy: the running pass will run once more for this tick (ticks merge).
            return p.model_copy(update={"pass_again": True}) if coalesce else None
        taken.append(True)
        return p.model_copy(update={"pass_owner": owner, "pass_until": now + PASS_LEASE})

    project = store.projects.modify(project.key, take)
    if not taken:
        if not coalesce:
            defer(message, BUSY_RETRY_S, "another pass is running")
        return
    current = Pass(
        settings=get_settings(),
        store=store,
        project=project,
        owner=owner,
        lease_renewed_at=time.monotonic(),
    )
    _scope_of(current, message)
    again: list[bool] = []
    try:
        run_pass(current)
    except Throttled as exc:
        defer(message, (exc.retry_at - datetime.now(UTC)).total_seconds(), "throttled")
        return
    except ApiError as exc:
        # A call the pass could not do without (a listing, a read while planning) failed: the
        # pass writes what it has, tells the log, and comes back later instead of failing the
        # message until it is poisoned.
        log.warning(
            "change pass stopped early",
            extra={"project_key": project.key, "operation": "pass", "error": refusal(exc)},
        )
        current.record(LogAction.ERROR, reason=f"the pass stopped early: {refusal(exc)}")
        later = message.model_copy(update={"tick_id": uuid.uuid4().hex, "reason": "retry"})
        defer(later, ERROR_RETRY_S, "the pass stopped early")
        return
    finally:
        if current.entries:
            store.log.append_many(current.entries)

        def release(p: Project) -> Project | None:
            again.clear()
            if p.pass_owner != owner:
                return None
            again.extend([True] if p.pass_again else [])
            return p.model_copy(
                update={"pass_owner": None, "pass_until": None, "pass_again": False}
            )

        store.projects.modify(project.key, release)
        if again:
            runtime.queue_sender().send(
                ProjectTick(project_key=project.key, tick_id=uuid.uuid4().hex, reason="again")
            )
    if message.notify_run_id is not None:
        runtime.queue_sender().send(
            Notify(
                project_key=project.key, kind="initial_sync_complete", run_id=message.notify_run_id
            )
        )
    if current.deferred:
        _schedule_recheck(current, message)


def _schedule_recheck(current: Pass, message: ProjectTick) -> None:
    """One re-check at a time: a pass that leaves items for later asks for a pass after the
    quiet period, unless one is already due by then."""
    delay = _recheck_delay(current)
    due = datetime.now(UTC) + timedelta(seconds=delay)
    asked: list[bool] = []

    def book(p: Project) -> Project | None:
        asked.clear()
        if p.recheck_at is not None and datetime.now(UTC) < p.recheck_at <= due:
            return None
        asked.append(True)
        return p.model_copy(update={"recheck_at": due})

    current.store.projects.modify(current.key, book)
    if asked:
        later = message.model_copy(
            update={"notify_run_id": None, "tick_id": uuid.uuid4().hex, "reason": "recheck"}
        )
        defer(later, delay, f"{len(current.deferred)} item(s) not ready")


def _scope_of(current: Pass, message: ProjectTick) -> None:
    """What a tick needs read from Procore. A SharePoint change (a delta pull's tick) still
    reads the documents index (one request: an edit there must win over a delete here), but
    runs the photos part only for photo changes; a Procore webhook reads its own tree. Anything
    else (a poll, a re-check, a merged tick, the closing pass) reads everything."""
    resources = set(message.resources)
    if message.reason == "delta":
        current.read_photos = False
    elif resources:
        current.read_procore_documents = bool(resources & set(DOCUMENT_RESOURCES))
        current.read_photos = bool(resources & set(PHOTO_RESOURCES))


def _route_exports(project: Project, message: ProjectTick) -> bool:
    """Hand the one-way tools' share of a tick to the export (webhooks of their resources, and
    every poll); whether the two-way pass should run too."""
    if not message.resources:
        if message.reason == "poll":
            schedule.request_exports(project.key, None, "poll")
        return True
    tools = schedule.tools_for_resources(message.resources)
    if tools:
        schedule.request_exports(project.key, tools, "webhook", full=message.deleted)
    return bool(set(message.resources) & set(two_way_resources(project.tools)))


def _recheck_delay(current: Pass) -> float:
    """Look again once the quiet period of what was left has surely passed (a file released
    from a lock or a check-out shows up in the change feed and brings a pass sooner)."""
    return max(MIN_RECHECK_S, current.settings.quiet_period_s + 2)


def run_pass(current: Pass) -> None:
    store = current.store
    project = current.project
    started = datetime.now(UTC)
    if project.delta_link is None and project.initial_delta_link:
        _catch_up(current)
    batch = _read_pending(current)
    if batch.documents:
        current.read_procore_documents = True  # an edit in Procore must win over a delete here
    stop = _roots_problem(current, batch.roots)
    if stop:
        pass_deletes.stop(current, stop, [])
        return
    since = (project.procore_watermark or started) - timedelta(
        seconds=current.settings.procore_poll_overlap_s
    )
    procore_changes: dict[int, DocumentEntry] = {}
    latest_stamp = project.procore_watermark or started
    if "documents" in project.tools and current.read_procore_documents:
        for entry in runtime.procore_client().list_document_changes(current.scope, since):
            procore_changes[entry.id] = entry
            if entry.updated_at and entry.updated_at > latest_stamp:
                latest_stamp = entry.updated_at
    all_held = list(store.held.list_for(current.key))
    held = [h for h in all_held if h.area is Area.DOCUMENTS]
    held_photos = [h for h in all_held if h.area is Area.PHOTOS]
    steps = pass_plan.plan(current, batch.documents, procore_changes, held)
    deletes = [s for s in steps if s.delete is not None]
    decision = project.deletes_decision
    if decision == "restore":
        pass_deletes.restore_held(current, held)
        deletes = [s for s in deletes if not pass_deletes.is_held(s, held)]
    elif decision is None:
        # A delete already held back waits for the administrator (the feed may repeat it).
        steps = [s for s in steps if not (s.delete is not None and pass_deletes.is_held(s, held))]
        deletes = [s for s in deletes if not pass_deletes.is_held(s, held)]
        stop_reason = pass_deletes.share_stop(current, deletes)
        if stop_reason:
            pass_deletes.stop(current, stop_reason, deletes)
            return
    for step in steps:
        if step.delete is None:
            _apply_step(current, step)
    if decision == "approve":
        allowed, held_back = deletes, list[pass_plan.Step]()
        allowed += pass_deletes.held_as_steps(current, held, deletes)
    else:
        allowed, held_back = pass_deletes.limit(current, deletes, started)
    for step in sorted(allowed, key=lambda s: -s.depth):
        _apply_step(current, step)
    if held_back:
        pass_deletes.record_held(current, held_back, "held back by the delete limit")
    if decision is not None:
        store.held.release(current.key, held)
        if held_photos:
            photo_holds.answer(current, held_photos, decision, batch.photos)
    elif all_held:
        pass_deletes.settle_held(current, all_held)
    current.delete_allowance = (
        None if decision == "approve" else pass_deletes.remaining(current, started)
    )
    photo_stamp = _photos(current, batch.photos)
    if current.deletes_carried:
        pass_deletes.count_deletes(current, current.deletes_carried, started)
    if current.held_now:
        pass_deletes.tell_held(current)
    _finish(current, batch, started, latest_stamp, photo_stamp, decision)


def _catch_up(current: Pass) -> None:
    """The pass closing an initial sync: read the feed from the cursor the run took before it
    enumerated, hand its items over as pending, and mark the project caught up (later passes
    take their SharePoint changes from the drive's pulls)."""
    project = current.project
    graph = runtime.graph_client()
    changes, new_link = drive_pull.read_feed(graph, current.drive, project.initial_delta_link)
    routed = drive_pull.route_for(current.store, project, changes)
    rows = drive_pull.pending_rows(project, routed, datetime.now(UTC))
    if rows:
        current.store.pending.put_many(current.key, rows)
    current.project = current.store.projects.modify(
        current.key, lambda p: p.model_copy(update={"delta_link": new_link})
    )


def _read_pending(current: Pass) -> pass_plan.Batch:
    batch = pass_plan.Batch()
    roots = drive_pull.roots_of(current.project).ids()
    for row in current.store.pending.list_for(current.key):
        batch.rows.append(row)
        item = DriveItem.model_validate_json(row.item_json)
        if item.id in roots:
            batch.roots.append(item)
        elif row.area is Area.PHOTOS:
            batch.photos.append(item)
        else:
            batch.documents[item.id] = item
    return batch


def _roots_problem(current: Pass, roots: list[DriveItem]) -> str | None:
    """Safety stop: the mapped folder or a tool folder was deleted or moved away."""
    project = current.project
    for item in roots:
        label = "project" if item.id == project.folder_item_id else "tool"
        if item.is_deleted:
            return f"the mapped {label} folder was deleted in SharePoint"
        parent = item.parent_reference.id if item.parent_reference else None
        expected = project.folder_item_id if label == "tool" else None
        if expected and parent and parent != expected:
            return f"the {item.name or 'tool'} folder was moved out of the mapped folder"
    return None


def _apply_step(current: Pass, step: pass_plan.Step) -> None:
    current.keep_lease()
    name = change_apply.item_name(step.p_now, step.s_now) or (
        step.base.procore_name if step.base else ""
    )
    for decision in step.decisions:
        try:
            change_apply.apply_decision(
                current, decision, step.base, step.entry, step.item, step.p_now, step.s_now
            )
        except Throttled:
            raise
        except Locked as exc:
            pass_plan.leave_for_later(current, step, name)
            current.record(
                LogAction.INFO,
                name=name,
                path=step.base.path if step.base else None,
                reason="open or locked in SharePoint; it is taken once saved and closed "
                f"({refusal(exc)})",
            )
            return
        except PreconditionFailed:
            _decide_again(current, step)
            current.record(
                LogAction.INFO,
                name=name,
                path=step.base.path if step.base else None,
                reason="changed again while being synced; it is decided again with the new change",
            )
            return
        except NotFound as exc:
            current.record(LogAction.ERROR, name=name, reason=refusal(exc))
        except InvalidRequest as exc:
            # Refused for good (a path too long, a name or a size SharePoint will not take):
            # skipped with the reason; a later change of the item tries again.
            if step.base is None and step.entry is not None:
                current.store.skipped.remember(
                    current.key,
                    SkippedChange(
                        procore_id=step.entry.id,
                        updated_at=step.entry.updated_at,
                        skipped_at=datetime.now(UTC),
                    ),
                )
            current.record(
                LogAction.SKIPPED,
                name=name,
                path=step.base.path if step.base else None,
                reason=refusal(exc),
            )
            return
        except ApiError as exc:
            pass_plan.leave_for_later(current, step, name)
            current.record(LogAction.ERROR, name=name, reason=refusal(exc))
            return
        if isinstance(decision, reconcile.Defer):
            pass_plan.leave_for_later(current, step, name)


def _decide_again(current: Pass, step: pass_plan.Step) -> None:
    """A write refused because the item changed since the decision: keep its changes for the
    next pass. The SharePoint item as it is now goes into the pending changes, so that pass
    decides with its fresh state even when the feed has nothing new to say about it (an eTag
    the base missed would otherwise refuse the same write forever)."""
    if step.item is not None:
        current.deferred_sharepoint.add(step.item.id)
    if step.base is None:
        return
    current.deferred_procore.add(step.base.procore_id)
    try:
        fresh = runtime.graph_client().get_item(current.drive, step.base.sharepoint_id)
    except NotFound:
        fresh = DriveItem(id=step.base.sharepoint_id, deleted={})
    current.deferred_sharepoint.add(fresh.id)
    row = drive_pull.pending_row(fresh, Area.DOCUMENTS, datetime.now(UTC))
    current.store.pending.put_many(current.key, [row])
    current.deferred.append(step.base.procore_name)


def _photos(current: Pass, items: list[DriveItem]) -> datetime | None:
    if "photos" not in current.project.tools or "photos" not in current.project.tool_folder_ids:
        return None
    if not items and not current.read_photos:
        return None
    from shared.sync import photo_changes

    before = len(current.deferred)
    stamp = photo_changes.photo_pass(current, items)
    if len(current.deferred) > before:
        current.deferred_sharepoint.update(i.id for i in items)
        return None
    return stamp


def _finish(
    current: Pass,
    batch: pass_plan.Batch,
    started: datetime,
    procore_stamp: datetime,
    photo_stamp: datetime | None,
    answered: str | None,
) -> None:
    for row in batch.rows:
        if row.item_id not in current.deferred_sharepoint:
            current.store.pending.done(current.key, row)
    update: dict[str, object] = {"last_pass_at": started}
    if current.read_procore_documents and not current.deferred_procore:
        update["procore_watermark"] = procore_stamp
    if photo_stamp is not None:
        update["photo_watermark"] = photo_stamp

    def finished(p: Project) -> Project:
        # An answer given while this pass ran is kept for the next one.
        cleared = {"deletes_decision": None} if answered and p.deletes_decision == answered else {}
        return p.model_copy(update={**update, **cleared})

    current.project = current.store.projects.modify(current.key, finished)
