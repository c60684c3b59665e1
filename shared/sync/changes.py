"""A change pass: take what changed on both sides since the last pass, decide, apply (DESIGN §4).

SharePoint changes wait in the project's pending rows (`shared.state.pending`), put there by the
drive's delta pulls (`shared.sync.drive_pull`); the pass that closes an initial sync first reads
the feed itself from the cursor the run took before enumerating, so changes made during the
initial sync are not lost. Procore changes come from the documents index filtered by
`updated_at` since the watermark (with overlap; the recycle bin too, for deletes).

Each touched item goes through `shared.sync.reconcile.decide` against its base; the decisions of
the whole batch are made first, so the safety stops and the delete limit can look at them all
before anything is written. Then creates, edits, renames and moves are carried out, parents
first, and deletes last, deepest first. A pending row is removed only once its item is applied;
the Procore watermark moves only when no Procore change was left for later. Anything not ready
(a file still open in Office, a throttled call) brings the project back after a delay.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
from shared.state.items import ItemBase, ItemKind
from shared.state.log import LogAction
from shared.state.pending import Area, HeldDelete, PendingChange, SkippedChange
from shared.state.projects import Phase, Project
from shared.sync import change_apply, drive_pull, photo_holds, reconcile
from shared.sync.handling import defer
from shared.sync.model import ConflictPolicy, Side
from shared.sync.pass_context import PASS_LEASE, Pass
from shared.sync.records import photos_key
from shared.sync.refusals import refusal
from shared.sync.safety import DeleteBudget, limit_deletes

log = logging.getLogger("sync")
MIN_RECHECK_S = 5
HELD_EMAIL_DELAY_S = 10
BUSY_RETRY_S = 5
SHARE_STOP_MIN_DELETES = 5
"""The share-of-project safety stop looks only at passes deleting at least this many items."""


@dataclass
class Step:
    """One item of the batch with its decisions."""

    base: ItemBase | None
    entry: DocumentEntry | None
    item: DriveItem | None
    p_now: reconcile.ProcoreNow | None
    s_now: reconcile.SharePointNow | None
    decisions: list[reconcile.Decision]
    depth: int = 0

    @property
    def delete(self) -> reconcile.Delete | None:
        for decision in self.decisions:
            if isinstance(decision, reconcile.Delete):
                return decision
        return None


@dataclass
class Batch:
    rows: list[PendingChange] = field(default_factory=list)
    documents: dict[str, DriveItem] = field(default_factory=dict)
    photos: list[DriveItem] = field(default_factory=list)
    roots: list[DriveItem] = field(default_factory=list)


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
        _stop(current, stop, [])
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
    steps = plan(current, batch.documents, procore_changes, held)
    deletes = [s for s in steps if s.delete is not None]
    decision = project.deletes_decision
    if decision == "restore":
        _restore_held(current, held)
        deletes = [s for s in deletes if not _is_held(s, held)]
    elif decision is None:
        # A delete already held back waits for the administrator (the feed may repeat it).
        steps = [s for s in steps if not (s.delete is not None and _is_held(s, held))]
        deletes = [s for s in deletes if not _is_held(s, held)]
        stop_reason = _share_stop(current, deletes)
        if stop_reason:
            _stop(current, stop_reason, deletes)
            return
    for step in steps:
        if step.delete is None:
            _apply_step(current, step)
    if decision == "approve":
        allowed, held_back = deletes, list[Step]()
        allowed += _held_as_steps(current, held, deletes)
    else:
        allowed, held_back = _limit(current, deletes, started)
    for step in sorted(allowed, key=lambda s: -s.depth):
        _apply_step(current, step)
    if held_back:
        _record_held(current, held_back, "held back by the delete limit")
    if decision is not None:
        store.held.release(current.key, held)
        if held_photos:
            photo_holds.answer(current, held_photos, decision, batch.photos)
    elif all_held:
        _settle_held(current, all_held)
    current.delete_allowance = None if decision == "approve" else _remaining(current, started)
    photo_stamp = _photos(current, batch.photos)
    if current.deletes_carried:
        _count_deletes(current, current.deletes_carried, started)
    if current.held_now:
        _tell_held(current)
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


def _read_pending(current: Pass) -> Batch:
    batch = Batch()
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


def plan(
    current: Pass,
    sp_changes: dict[str, DriveItem],
    procore_changes: dict[int, DocumentEntry],
    held: list[HeldDelete],
) -> list[Step]:
    """Every item of the batch with its decisions, parents before children."""
    rules = reconcile.Rules(
        now=datetime.now(UTC),
        policy=ConflictPolicy(current.project.conflict_policy),
        quiet_period=timedelta(seconds=current.settings.quiet_period_s),
    )
    store = current.store
    held_sharepoint = {h.sharepoint_id for h in held if h.deleted_on == Side.SHAREPOINT.value}
    held_procore = {h.procore_id for h in held if h.deleted_on == Side.PROCORE.value}
    depths = _depths(sp_changes)
    steps: list[Step] = []
    seen_procore: set[int] = set()
    in_scope = _scope(current, sp_changes)
    for item_id, item in sp_changes.items():
        base = store.items.find_by_sharepoint(current.key, item_id)
        entry = procore_changes.get(base.procore_id) if base else None
        if base is not None:
            seen_procore.add(base.procore_id)
        present = item if (not item.is_deleted and in_scope(item)) else None
        if present is None and base is None:
            continue
        if present is None:
            current.gone_sharepoint.add(item_id)
        p_now = _procore_side(base, entry, held_procore)
        s_now = _with_checkout(current, change_apply.sharepoint_now(present, None), base)
        steps.append(_decided(base, entry, present, p_now, s_now, rules, depths.get(item_id, 0)))
    docs_root = current.project.tool_folder_ids.get("documents", "")
    root = store.items.find_by_sharepoint(current.key, docs_root)
    for procore_id, entry in procore_changes.items():
        if procore_id in seen_procore or (root and procore_id == root.procore_id):
            continue
        base = store.items.find_by_procore(current.key, procore_id)
        if base is None and not change_apply.procore_parent_known(current, entry):
            continue
        if base is None and _skipped_before(current, entry):
            continue
        if entry.is_deleted or entry.is_recycle_bin:
            current.gone_procore.add(procore_id)
        p_now = change_apply.procore_now(entry, base)
        held_there = base is not None and base.sharepoint_id in held_sharepoint
        s_now = None if held_there else change_apply.sharepoint_now(None, base)
        depth = (entry.name_with_path or "").count("/")
        steps.append(_decided(base, entry, None, p_now, s_now, rules, depth))
    steps = _pair_new_names(current, steps, root)
    steps.extend(_folder_contents(current, steps, rules))
    steps.sort(key=lambda s: s.depth)
    return steps


def _pair_new_names(current: Pass, steps: list[Step], root: ItemBase | None) -> list[Step]:
    """An item new on both sides under one name in one folder is one item: its two creates
    become one comparison (`change_apply.pair_new`), never two copies under made-up names."""
    procore_new: dict[tuple[int | None, str, bool], Step] = {}
    for step in steps:
        if step.base is None and step.entry is not None and step.item is None:
            entry = step.entry
            key = (entry.parent_id, reconcile.folded(entry.name or ""), entry.is_folder)
            procore_new[key] = step
    if not procore_new:
        return steps
    merged: list[Step] = []
    paired: set[int] = set()
    for step in steps:
        item = step.item
        if step.base is None and item is not None and step.entry is None and _is_create(step):
            parent_sp = item.parent_reference.id if item.parent_reference else None
            parent = _procore_parent_of(current, parent_sp, root)
            key = (parent, reconcile.folded(item.name or ""), item.is_folder)
            twin = procore_new.get(key) if parent is not None else None
            if twin is not None and id(twin) not in paired:
                paired.add(id(twin))
                merged.append(
                    Step(
                        None,
                        twin.entry,
                        item,
                        twin.p_now,
                        step.s_now,
                        [reconcile.CompareContent()],
                        max(step.depth, twin.depth),
                    )
                )
                continue
        merged.append(step)
    return [s for s in merged if id(s) not in paired]


def _is_create(step: Step) -> bool:
    return any(isinstance(d, reconcile.CreateOther) for d in step.decisions)


def _procore_parent_of(current: Pass, parent_sp: str | None, root: ItemBase | None) -> int | None:
    if parent_sp is None:
        return None
    if root is not None and parent_sp == root.sharepoint_id:
        return root.procore_id
    parent = current.store.items.find_by_sharepoint(current.key, parent_sp)
    return parent.procore_id if parent is not None else None


def _with_checkout(
    current: Pass, s_now: reconcile.SharePointNow | None, base: ItemBase | None
) -> reconcile.SharePointNow | None:
    """A new or edited SharePoint file is only taken once checked in (DESIGN §1.3); delta does
    not carry the `publication` facet (API-NOTES B2), so it is read for those files alone."""
    if s_now is None or s_now.ctag is None:
        return s_now
    quiet = timedelta(seconds=current.settings.quiet_period_s)
    if datetime.now(UTC) - s_now.modified_at < quiet:
        return s_now  # it waits for the quiet period anyway; its check-out is read then
    if base is not None and s_now.ctag == change_apply.content_token(
        base.quick_xor_hash, base.sharepoint_ctag
    ):
        return s_now
    publication = runtime.graph_client().get_publication(current.drive, s_now.id)
    if publication is not None and publication.level == "checkout":
        return replace(s_now, checked_out=True)
    return s_now


def _skipped_before(current: Pass, entry: DocumentEntry) -> bool:
    """This very change of a new Procore item was refused by SharePoint already."""
    skipped = current.store.skipped.find(current.key, entry.id)
    return skipped is not None and skipped.covers(entry.updated_at)


def _procore_side(
    base: ItemBase | None, entry: DocumentEntry | None, held_procore: set[int]
) -> reconcile.ProcoreNow | None:
    """Procore's state of an item; one whose Procore delete is held back counts as deleted,
    so an edit on SharePoint restores it (the edit wins)."""
    if base is not None and entry is None and base.procore_id in held_procore:
        return None
    return change_apply.procore_now(entry, base)


def _decided(
    base: ItemBase | None,
    entry: DocumentEntry | None,
    item: DriveItem | None,
    p_now: reconcile.ProcoreNow | None,
    s_now: reconcile.SharePointNow | None,
    rules: reconcile.Rules,
    depth: int,
) -> Step:
    view = change_apply.base_view(base) if base is not None else None
    return Step(base, entry, item, p_now, s_now, reconcile.decide(view, p_now, s_now, rules), depth)


def _depths(sp_changes: dict[str, DriveItem]) -> dict[str, int]:
    """Each item's depth within the batch (a new folder's files come after it)."""
    depths: dict[str, int] = {}

    def depth(item_id: str, seen: frozenset[str]) -> int:
        if item_id in depths:
            return depths[item_id]
        item = sp_changes.get(item_id)
        parent = item.parent_reference.id if item and item.parent_reference else None
        value = 0
        if parent and parent in sp_changes and parent not in seen:
            value = depth(parent, seen | {item_id}) + 1
        depths[item_id] = value
        return value

    for item_id in sp_changes:
        depth(item_id, frozenset())
    return depths


def _scope(current: Pass, sp_changes: dict[str, DriveItem]) -> Callable[[DriveItem], bool]:
    """Whether a present SharePoint item is still inside the project's Documents tree (an item
    moved out of it counts as deleted there; files outside the mapped folders are left alone)."""
    docs_root = current.project.tool_folder_ids.get("documents")
    store = current.store
    verdicts: dict[str, bool] = {}

    def inside(item: DriveItem) -> bool:
        parent = item.parent_reference.id if item.parent_reference else None
        if parent is None:
            return False
        if parent == docs_root:
            return True
        if parent in verdicts:
            return verdicts[parent]
        in_batch = sp_changes.get(parent)
        if in_batch is not None:
            verdict = (not in_batch.is_deleted) and in_batch.is_folder and inside(in_batch)
        else:
            known = store.items.find_by_sharepoint(current.key, parent)
            verdict = known is not None and known.kind == ItemKind.FOLDER
        verdicts[parent] = verdict
        return verdict

    return inside


def _folder_contents(current: Pass, steps: list[Step], rules: reconcile.Rules) -> list[Step]:
    """A folder deleted (or moved out) on one side takes its contents along: the feeds need not
    list every descendant, so the base's pairs inside it that the batch does not mention are
    deleted with it (each through the same decision, so an edit inside still wins)."""
    mentioned_sp = {s.base.sharepoint_id for s in steps if s.base is not None}
    mentioned_p = {s.base.procore_id for s in steps if s.base is not None}
    extra: list[Step] = []
    for step in steps:
        delete = step.delete
        if delete is None or step.base is None or step.base.kind != ItemKind.FOLDER:
            continue
        for child, depth in _descendants(current, step.base, step.depth):
            if child.sharepoint_id in mentioned_sp or child.procore_id in mentioned_p:
                continue
            mentioned_sp.add(child.sharepoint_id)
            mentioned_p.add(child.procore_id)
            if delete.source is Side.SHAREPOINT:
                current.gone_sharepoint.add(child.sharepoint_id)
                p_now = change_apply.procore_now(None, child)
                s_now = None
            else:
                current.gone_procore.add(child.procore_id)
                p_now = None
                s_now = change_apply.sharepoint_now(None, child)
            decisions = reconcile.decide(change_apply.base_view(child), p_now, s_now, rules)
            extra.append(Step(child, None, None, p_now, s_now, decisions, depth))
    return extra


def _descendants(current: Pass, folder: ItemBase, depth: int) -> list[tuple[ItemBase, int]]:
    found: list[tuple[ItemBase, int]] = []
    queue = [(folder, depth)]
    while queue:
        parent, level = queue.pop()
        for child in current.store.items.children(current.key, "procore", parent.procore_id):
            found.append((child, level + 1))
            if child.kind == ItemKind.FOLDER:
                queue.append((child, level + 1))
    return found


def _apply_step(current: Pass, step: Step) -> None:
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
            _leave_for_later(current, step, name)
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
            _leave_for_later(current, step, name)
            current.record(LogAction.ERROR, name=name, reason=refusal(exc))
            return
        if isinstance(decision, reconcile.Defer):
            _leave_for_later(current, step, name)


def _decide_again(current: Pass, step: Step) -> None:
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


def _leave_for_later(current: Pass, step: Step, name: str) -> None:
    if name not in current.deferred:
        current.deferred.append(name)
    if step.item is not None:
        current.deferred_sharepoint.add(step.item.id)
    elif step.base is not None and step.base.sharepoint_id in current.gone_sharepoint:
        current.deferred_sharepoint.add(step.base.sharepoint_id)
    if step.entry is not None:
        current.deferred_procore.add(step.entry.id)


# --- the delete limit and the safety stops ------------------------------------------------------


def _share_stop(current: Pass, deletes: list[Step]) -> str | None:
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


def _limit(current: Pass, deletes: list[Step], now: datetime) -> tuple[list[Step], list[Step]]:
    budget = DeleteBudget(limit=_delete_limit(current), recent=current.project.recent_deletes)
    ordered = sorted(deletes, key=lambda s: -s.depth)
    allowed, held_back = limit_deletes(ordered, budget, now)
    if allowed:
        _count_deletes(current, len(allowed), now)
    return allowed, held_back


def _delete_limit(current: Pass) -> int:
    limit = current.project.delete_limit
    return current.settings.delete_limit_per_day if limit is None else limit


def _remaining(current: Pass, now: datetime) -> int:
    budget = DeleteBudget(limit=_delete_limit(current), recent=current.project.recent_deletes)
    return budget.remaining(now)


def _count_deletes(current: Pass, count: int, now: datetime) -> None:
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


def _record_held(current: Pass, steps: list[Step], why: str) -> None:
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


def _tell_held(current: Pass) -> None:
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


def _is_held(step: Step, held: list[HeldDelete]) -> bool:
    return step.base is not None and any(h.procore_id == step.base.procore_id for h in held)


def _held_as_steps(current: Pass, held: list[HeldDelete], deletes: list[Step]) -> list[Step]:
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


def _restore_held(current: Pass, held: list[HeldDelete]) -> None:
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
            _leave_for_later(current, step, h.name)
            current.record(LogAction.ERROR, name=h.name, path=h.path, reason=refusal(exc))


def _settle_held(current: Pass, held: list[HeldDelete]) -> None:
    """Held deletes whose pair has since been restored (an edit won) or forgotten are done."""
    settled = []
    for h in held:
        partition = current.key if h.area is Area.DOCUMENTS else photos_key(current.key)
        base = current.store.items.find_by_procore(partition, h.procore_id)
        if base is None or base.sharepoint_id != h.sharepoint_id:
            settled.append(h)
    if settled:
        current.store.held.release(current.key, settled)


def _stop(current: Pass, reason: str, deletes: list[Step]) -> None:
    """A safety stop: nothing is written, the project shows why and the administrator is told."""
    if deletes:
        _record_held(current, deletes, "held back by a safety stop")
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
    batch: Batch,
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
