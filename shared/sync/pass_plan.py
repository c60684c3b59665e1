"""A change pass's decisions for its whole batch (DESIGN §4).

Each touched item is decided against its base (`shared.sync.reconcile.decide`, pure) before
anything is written: the SharePoint side from the pending changes, the Procore side from the
documents index. Items are ordered parents first; a folder deleted or moved out on one side
takes its contents along; the same name created on both sides is one item; a new or edited
SharePoint file is taken only once checked in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from shared import runtime
from shared.errors import NotFound
from shared.graph.models import DriveItem
from shared.procore.models import DocumentEntry
from shared.state.items import ItemBase, ItemKind
from shared.state.pending import HeldDelete, PendingChange
from shared.sync import change_apply, reconcile
from shared.sync.model import ConflictPolicy, Side
from shared.sync.pass_context import Pass
from shared.sync.records import stale_item


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
        if not item.is_deleted and stale_item(item, base):
            continue
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
    try:
        publication = runtime.graph_client().get_publication(current.drive, s_now.id)
    except NotFound:
        return None  # deleted since the feed showed it: its delete follows in the feed
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


def leave_for_later(current: Pass, step: Step, name: str) -> None:
    if name not in current.deferred:
        current.deferred.append(name)
    if step.item is not None:
        current.deferred_sharepoint.add(step.item.id)
    elif step.base is not None and step.base.sharepoint_id in current.gone_sharepoint:
        current.deferred_sharepoint.add(step.base.sharepoint_id)
    if step.entry is not None:
        current.deferred_procore.add(step.entry.id)


# --- the delete limit and the safety stops ------------------------------------------------------
