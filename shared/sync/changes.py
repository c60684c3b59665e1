"""A change pass: pull what changed on both sides since the cursors, decide, apply (DESIGN §4).

SharePoint changes come from the drive's delta feed (items are matched to the project by their
parent ids, because delta carries no paths, API-NOTES B3); Procore changes from the documents
index filtered by `updated_at` since the watermark (with overlap; the recycle bin too, for
deletes). Each touched item goes through `shared.sync.reconcile.decide` against its base, and the
decision is carried out. Cursors move only after the pass applied everything it pulled: a pass
that had to defer anything (a file still open, a throttled call) keeps the old cursors, and the
next pass sees the same changes again; applied ones then compare equal to their new base.

The initial sync ends with such a pass, from the cursors it took before enumerating, so changes
made on either side during the initial sync are not lost.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from shared import runtime
from shared.config import get_settings
from shared.errors import ApiError, NotFound, Throttled
from shared.graph.models import DriveItem
from shared.procore.models import DocumentEntry
from shared.queues import Notify, ProjectTick
from shared.state.items import ItemBase, ItemKind
from shared.state.log import LogAction
from shared.state.projects import Phase, Project
from shared.sync import reconcile
from shared.sync.handling import defer
from shared.sync.model import ConflictPolicy, Side
from shared.sync.names import MappedName, sharepoint_name
from shared.sync.pass_context import Pass
from shared.sync.records import file_pair, folder_pair, save_pair
from shared.sync.spool import Spool

log = logging.getLogger("sync")
PASS_LEASE = timedelta(minutes=10)
RETRY_DEFERRED_S = 60


def tick(message: ProjectTick) -> None:
    """Run one change pass for the project, unless one is running already."""
    store = runtime.state_store()
    project = store.projects.find(message.project_key)
    if project is None or project.phase not in (Phase.REGULAR,):
        return
    now = datetime.now(UTC)
    owner = message.tick_id
    taken: list[bool] = []

    def take(p: Project) -> Project | None:
        taken.clear()
        if p.pass_owner and p.pass_until and p.pass_until > now and p.pass_owner != owner:
            return None
        taken.append(True)
        return p.model_copy(update={"pass_owner": owner, "pass_until": now + PASS_LEASE})

    project = store.projects.modify(project.key, take)
    if not taken:
        defer(message, 30, "another pass is running")
        return
    current = Pass(settings=get_settings(), store=store, project=project)
    try:
        run_pass(current)
    except Throttled as exc:
        defer(message, (exc.retry_at - datetime.now(UTC)).total_seconds(), "throttled")
        return
    finally:
        if current.entries:
            store.log.append_many(current.entries)
        store.projects.modify(
            project.key,
            lambda p: (
                p.model_copy(update={"pass_owner": None, "pass_until": None})
                if p.pass_owner == owner
                else None
            ),
        )
    if message.notify_run_id is not None:
        runtime.queue_sender().send(
            Notify(
                project_key=project.key, kind="initial_sync_complete", run_id=message.notify_run_id
            )
        )
    if current.deferred:
        later = message.model_copy(update={"notify_run_id": None})
        defer(later, RETRY_DEFERRED_S, f"{len(current.deferred)} item(s) not ready")


def run_pass(current: Pass) -> None:
    project = current.project
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    started = datetime.now(UTC)
    link = project.delta_link or project.initial_delta_link
    sp_changes: dict[str, DriveItem] = {}
    delta = graph.delta(current.drive, link)
    while True:
        try:
            item = next(delta)
        except StopIteration as done:
            new_link: str = done.value
            break
        sp_changes[item.id] = item
    since = (project.procore_watermark or started) - timedelta(
        seconds=current.settings.procore_poll_overlap_s
    )
    procore_changes: dict[int, DocumentEntry] = {}
    latest_stamp = project.procore_watermark or since
    for entry in procore.list_document_changes(current.scope, since):
        procore_changes[entry.id] = entry
        if entry.updated_at and entry.updated_at > latest_stamp:
            latest_stamp = entry.updated_at
    apply_changes(current, sp_changes, procore_changes)
    if not current.deferred:
        current.store.projects.modify(
            project.key,
            lambda p: p.model_copy(
                update={
                    "delta_link": new_link,
                    "procore_watermark": latest_stamp,
                    "last_pass_at": started,
                }
            ),
        )


def _in_project(current: Pass, sp_changes: dict[str, DriveItem]) -> list[DriveItem]:
    """The delta items below the project's Documents folder, parents before children."""
    docs = current.project.tool_folder_ids.get("documents")
    known = {docs} if docs else set()
    known |= {
        b.sharepoint_id for b in current.store.items.list_items(current.key) if b.kind == "folder"
    }
    ordered: list[DriveItem] = []
    pending = [i for i in sp_changes.values() if i.id != docs]
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for item in pending:
            parent = item.parent_reference.id if item.parent_reference else None
            base = current.store.items.find_by_sharepoint(current.key, item.id)
            if parent in known or base is not None:
                ordered.append(item)
                if item.is_folder and not item.is_deleted:
                    known.add(item.id)
                progress = True
            else:
                rest.append(item)
        pending = rest
    return ordered


def apply_changes(
    current: Pass, sp_changes: dict[str, DriveItem], procore_changes: dict[int, DocumentEntry]
) -> None:
    rules = reconcile.Rules(
        now=datetime.now(UTC),
        policy=ConflictPolicy(current.project.conflict_policy),
        quiet_period=timedelta(seconds=current.settings.quiet_period_s),
    )
    handled_procore: set[int] = set()
    for item in _in_project(current, sp_changes):
        base = current.store.items.find_by_sharepoint(current.key, item.id)
        entry = procore_changes.get(base.procore_id) if base else None
        if base is not None:
            handled_procore.add(base.procore_id)
        _decide_and_apply(current, base, entry, item, rules)
    root = current.store.items.find_by_sharepoint(
        current.key, current.project.tool_folder_ids.get("documents", "")
    )
    for procore_id, entry in sorted(procore_changes.items()):
        if procore_id in handled_procore or (root and procore_id == root.procore_id):
            continue
        base = current.store.items.find_by_procore(current.key, procore_id)
        if base is None and not _procore_parent_known(current, entry):
            continue
        _decide_and_apply(current, base, entry, None, rules)


def _procore_parent_known(current: Pass, entry: DocumentEntry) -> bool:
    if entry.parent_id is None:
        return False
    return current.store.items.find_by_procore(current.key, entry.parent_id) is not None


def _procore_version(entry: DocumentEntry) -> tuple[int | None, int]:
    file = entry.file or {}
    version = file.get("current_version") or {}
    return version.get("id"), int(version.get("size") or file.get("size") or 0)


def _procore_now(entry: DocumentEntry | None, base: ItemBase | None) -> reconcile.ProcoreNow | None:
    if entry is None:
        if base is None:
            return None
        return reconcile.ProcoreNow(
            id=base.procore_id,
            name=base.procore_name,
            parent_id=base.procore_parent_id,
            updated_at=base.procore_modified_at or base.synced_at,
            version_id=base.procore_version_id,
            size=base.size or 0,
        )
    if entry.is_deleted or entry.is_recycle_bin:
        return None
    version_id, size = _procore_version(entry)
    return reconcile.ProcoreNow(
        id=entry.id,
        name=entry.name or str(entry.id),
        parent_id=entry.parent_id,
        updated_at=entry.updated_at or datetime.now(UTC),
        version_id=version_id,
        size=size,
    )


def _sharepoint_now(
    item: DriveItem | None, base: ItemBase | None
) -> reconcile.SharePointNow | None:
    if item is None:
        if base is None:
            return None
        return reconcile.SharePointNow(
            id=base.sharepoint_id,
            name=base.sharepoint_name,
            parent_id=base.sharepoint_parent_id,
            modified_at=base.sharepoint_modified_at or base.synced_at,
            ctag=content_token(base.quick_xor_hash, base.sharepoint_ctag),
            size=base.size or 0,
            quick_xor=base.quick_xor_hash,
        )
    if item.is_deleted:
        return None
    modified = item.last_modified_date_time or datetime.now(UTC)
    return reconcile.SharePointNow(
        id=item.id,
        name=item.name or item.id,
        parent_id=item.parent_reference.id if item.parent_reference else None,
        modified_at=modified,
        ctag=None if item.is_folder else content_token(item.quick_xor_hash, item.c_tag),
        size=item.size or 0,
        quick_xor=item.quick_xor_hash,
        checked_out=item.is_checked_out,
    )


def _decide_and_apply(
    current: Pass,
    base: ItemBase | None,
    entry: DocumentEntry | None,
    item: DriveItem | None,
    rules: reconcile.Rules,
) -> None:
    p_now = _procore_now(entry, base)
    s_now = _sharepoint_now(item, base)
    base_view = _base_view(base) if base is not None else None
    decisions = reconcile.decide(base_view, p_now, s_now, rules)
    for decision in decisions:
        try:
            _apply(current, decision, base, entry, item, p_now, s_now)
        except Throttled:
            raise
        except NotFound as exc:
            current.record(LogAction.ERROR, name=_name(p_now, s_now), reason=str(exc))
        except ApiError as exc:
            current.deferred.append(_name(p_now, s_now))
            current.record(LogAction.ERROR, name=_name(p_now, s_now), reason=str(exc))


def _name(p_now: reconcile.ProcoreNow | None, s_now: reconcile.SharePointNow | None) -> str:
    if p_now is not None:
        return p_now.name
    return s_now.name if s_now is not None else ""


def _base_view(base: ItemBase) -> reconcile.Base:
    return reconcile.Base(
        procore_id=base.procore_id,
        sharepoint_id=base.sharepoint_id,
        is_folder=base.kind == ItemKind.FOLDER,
        procore_name=base.procore_name,
        sharepoint_name=base.sharepoint_name,
        procore_parent_id=base.procore_parent_id,
        sharepoint_parent_id=base.sharepoint_parent_id,
        procore_version_id=base.procore_version_id,
        sharepoint_ctag=content_token(base.quick_xor_hash, base.sharepoint_ctag),
        size=base.size or 0,
    )


def content_token(quick_xor: str | None, ctag: str | None) -> str | None:
    """What says "the content changed" on SharePoint: the quickXorHash where known (delta
    items carry no cTag, API-NOTES B3), else the cTag."""
    return quick_xor or ctag


def _apply(
    current: Pass,
    decision: reconcile.Decision,
    base: ItemBase | None,
    entry: DocumentEntry | None,
    item: DriveItem | None,
    p_now: reconcile.ProcoreNow | None,
    s_now: reconcile.SharePointNow | None,
) -> None:
    if isinstance(decision, reconcile.NoChange | reconcile.Ignore):
        return
    if isinstance(decision, reconcile.Defer):
        current.deferred.append(_name(p_now, s_now))
        return
    if isinstance(decision, reconcile.Forget):
        assert base is not None
        current.store.items.delete(base)
        return
    if isinstance(decision, reconcile.CreateOther):
        if decision.source is Side.SHAREPOINT:
            assert item is not None
            _create_in_procore(current, item)
        else:
            assert entry is not None
            _create_in_sharepoint(current, entry)
        return
    assert base is not None
    if isinstance(decision, reconcile.Delete):
        _delete(current, decision, base)
        return
    if isinstance(decision, reconcile.Restore):
        current.store.items.delete(base)
        if decision.deleted_on is Side.PROCORE:
            assert item is not None
            _create_in_procore(current, item, restored=True)
        else:
            assert entry is not None
            _create_in_sharepoint(current, entry, restored=True)
        return
    if isinstance(decision, reconcile.CompareContent):
        _compare(current, base, entry, item)
        return
    if isinstance(decision, reconcile.AdoptBase):
        _adopt(current, base, entry, item)
        return
    if isinstance(decision, reconcile.KeepCopy):
        current.record(
            LogAction.CONFLICT,
            name=base.procore_name,
            path=base.path,
            reason=f"both sides changed; the {decision.loser.value} copy stays as a prior "
            "version (keep_both copies are made by the regular sync)",
        )
        return
    if isinstance(decision, reconcile.Apply):
        if decision.source is Side.PROCORE:
            _procore_to_sharepoint(current, decision, base, entry)
        else:
            _sharepoint_to_procore(current, decision, base, item)


def _parent_sharepoint(current: Pass, procore_parent: int | None) -> str | None:
    if procore_parent is None:
        return None
    parent = current.store.items.find_by_procore(current.key, procore_parent)
    return parent.sharepoint_id if parent else None


def _parent_procore(current: Pass, sharepoint_parent: str | None) -> int | None:
    if sharepoint_parent is None:
        return None
    parent = current.store.items.find_by_sharepoint(current.key, sharepoint_parent)
    return parent.procore_id if parent else None


def _mapped(name: str, is_folder: bool) -> str:
    mapped = sharepoint_name(name, is_folder=is_folder)
    return mapped.name if isinstance(mapped, MappedName) else name


def _path_of(current: Pass, parent_procore: int | None, name: str) -> str:
    parent = (
        current.store.items.find_by_procore(current.key, parent_procore)
        if parent_procore is not None
        else None
    )
    return f"{parent.path}/{name}" if parent and parent.path else name


def _create_in_sharepoint(current: Pass, entry: DocumentEntry, restored: bool = False) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    parent = _parent_sharepoint(current, entry.parent_id)
    if parent is None:
        return
    name = entry.name or str(entry.id)
    path = _path_of(current, entry.parent_id, name)
    now = datetime.now(UTC)
    if entry.is_folder:
        created = graph.create_folder(
            current.drive, parent, _mapped(name, True), conflict_behavior="rename"
        )
        save_pair(
            current.store,
            folder_pair(
                current.key,
                procore_id=entry.id,
                procore_name=name,
                procore_parent_id=entry.parent_id,
                item=created,
                sharepoint_parent_id=parent,
                path=path,
                now=now,
            ),
        )
    else:
        file = procore.get_file(current.scope, entry.id, latest_version_only=True)
        if file.download_url is None:
            return
        with Spool() as spool:
            spool.fill(procore.download(current.scope, file.download_url))
            with spool.reader() as reader:
                result = graph.upload_file(
                    current.drive,
                    reader,
                    spool.size,
                    parent_id=parent,
                    name=_mapped(name, False),
                    conflict_behavior="rename",
                )
        latest = file.latest_version
        save_pair(
            current.store,
            file_pair(
                current.key,
                procore_id=entry.id,
                procore_name=name,
                procore_parent_id=entry.parent_id,
                procore_version_id=latest.id if latest else None,
                procore_version_number=latest.number if latest else None,
                procore_modified_at=file.updated_at,
                item=result.item,
                sharepoint_parent_id=parent,
                path=path,
                now=now,
            ),
        )
    current.record(
        LogAction.RESTORED if restored else LogAction.COPIED,
        side="sharepoint",
        procore_id=entry.id,
        name=name,
        path=path,
        reason="edited in Procore after it was deleted in SharePoint" if restored else None,
    )


def _create_in_procore(current: Pass, item: DriveItem, restored: bool = False) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    sharepoint_parent = item.parent_reference.id if item.parent_reference else None
    parent = _parent_procore(current, sharepoint_parent)
    if parent is None:
        return
    name = item.name or item.id
    path = _path_of(current, parent, name)
    now = datetime.now(UTC)
    if item.is_folder:
        folder = procore.create_folder(current.scope, name, parent)
        save_pair(
            current.store,
            folder_pair(
                current.key,
                procore_id=folder.id,
                procore_name=folder.name or name,
                procore_parent_id=parent,
                item=item,
                sharepoint_parent_id=sharepoint_parent,
                path=path,
                now=now,
            ),
        )
    else:
        with Spool() as spool:
            graph.download(current.drive, item.id, spool)
            uploaded = procore.upload_file(
                current.scope, parent, name, spool.upload_source(), unique_name=True
            )
        fresh = graph.get_item(current.drive, item.id)
        latest = uploaded.latest_version
        save_pair(
            current.store,
            file_pair(
                current.key,
                procore_id=uploaded.id,
                procore_name=uploaded.name,
                procore_parent_id=parent,
                procore_version_id=latest.id if latest else None,
                procore_version_number=latest.number if latest else None,
                procore_modified_at=uploaded.updated_at,
                item=fresh,
                sharepoint_parent_id=sharepoint_parent,
                path=path,
                now=now,
            ),
        )
    current.record(
        LogAction.RESTORED if restored else LogAction.COPIED,
        side="procore",
        sharepoint_id=item.id,
        name=name,
        path=path,
        reason="edited in SharePoint after it was deleted in Procore" if restored else None,
    )


def _delete(current: Pass, decision: reconcile.Delete, base: ItemBase) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    if decision.source is Side.PROCORE:
        graph.delete_item(current.drive, base.sharepoint_id)
        side = "sharepoint"
    else:
        if base.kind == ItemKind.FOLDER:
            procore.delete_folder(current.scope, base.procore_id)
        else:
            procore.delete_file(current.scope, base.procore_id)
        side = "procore"
    current.store.items.delete(base)
    current.record(
        LogAction.DELETED,
        side=side,
        procore_id=base.procore_id,
        sharepoint_id=base.sharepoint_id,
        name=base.procore_name,
        path=base.path,
        reason=f"deleted in {decision.source.value}; moved to the recycle bin",
    )


def _procore_to_sharepoint(
    current: Pass, decision: reconcile.Apply, base: ItemBase, entry: DocumentEntry | None
) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    item: DriveItem | None = None
    updates: dict[str, Any] = {"synced_at": datetime.now(UTC)}
    if decision.content:
        file = procore.get_file(current.scope, base.procore_id, latest_version_only=True)
        if file.download_url is None:
            return
        with Spool() as spool:
            spool.fill(procore.download(current.scope, file.download_url))
            with spool.reader() as reader:
                item = graph.upload_file(
                    current.drive, reader, spool.size, item_id=base.sharepoint_id
                ).item
        latest = file.latest_version
        updates.update(
            procore_version_id=latest.id if latest else None, procore_modified_at=file.updated_at
        )
    if decision.rename_to is not None or decision.move:
        new_parent = (
            _parent_sharepoint(current, entry.parent_id) if decision.move and entry else None
        )
        item = graph.update_item(
            current.drive,
            base.sharepoint_id,
            name=_mapped(decision.rename_to, base.kind == ItemKind.FOLDER)
            if decision.rename_to
            else None,
            parent_id=new_parent,
        )
        if entry is not None:
            updates.update(
                procore_name=entry.name or base.procore_name, procore_parent_id=entry.parent_id
            )
            if new_parent:
                updates["sharepoint_parent_id"] = new_parent
    _save_after(current, base, item, updates)
    current.record(
        _action_of(decision),
        side="sharepoint",
        procore_id=base.procore_id,
        sharepoint_id=base.sharepoint_id,
        name=decision.rename_to or base.procore_name,
        path=base.path,
    )


def _sharepoint_to_procore(
    current: Pass, decision: reconcile.Apply, base: ItemBase, item: DriveItem | None
) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    updates: dict[str, Any] = {"synced_at": datetime.now(UTC)}
    folder = base.kind == ItemKind.FOLDER
    if decision.content:
        with Spool() as spool:
            graph.download(current.drive, base.sharepoint_id, spool)
            uploaded = procore.add_version(current.scope, base.procore_id, spool.upload_source())
        latest = uploaded.latest_version
        updates.update(
            procore_version_id=latest.id if latest else None,
            procore_modified_at=uploaded.updated_at,
        )
    if decision.rename_to is not None:
        if folder:
            procore.rename_folder(current.scope, base.procore_id, decision.rename_to)
        else:
            procore.rename_file(current.scope, base.procore_id, decision.rename_to)
        updates["procore_name"] = decision.rename_to
    if decision.move and item is not None and item.parent_reference is not None:
        new_parent = _parent_procore(current, item.parent_reference.id)
        if new_parent is not None:
            if folder:
                procore.move_folder(current.scope, base.procore_id, new_parent)
            else:
                procore.move_file(current.scope, base.procore_id, new_parent)
            updates.update(
                procore_parent_id=new_parent, sharepoint_parent_id=item.parent_reference.id
            )
    fresh = graph.get_item(current.drive, base.sharepoint_id)
    _save_after(current, base, fresh, updates)
    current.record(
        _action_of(decision),
        side="procore",
        procore_id=base.procore_id,
        sharepoint_id=base.sharepoint_id,
        name=decision.rename_to or base.procore_name,
        path=base.path,
    )


def _action_of(decision: reconcile.Apply) -> LogAction:
    if decision.content:
        return LogAction.UPDATED
    if decision.move:
        return LogAction.MOVED
    return LogAction.RENAMED


def _save_after(
    current: Pass, base: ItemBase, item: DriveItem | None, updates: dict[str, Any]
) -> None:
    if item is not None:
        updates.update(
            sharepoint_name=item.name or base.sharepoint_name,
            sharepoint_etag=item.e_tag,
            sharepoint_ctag=item.c_tag if base.kind == ItemKind.FILE else None,
            quick_xor_hash=item.quick_xor_hash,
            size=item.size if base.kind == ItemKind.FILE else base.size,
            sharepoint_modified_at=item.last_modified_date_time,
        )
        if item.parent_reference and item.parent_reference.id:
            updates["sharepoint_parent_id"] = item.parent_reference.id
    current.store.items.save(base.model_copy(update=updates))


def _adopt(
    current: Pass, base: ItemBase, entry: DocumentEntry | None, item: DriveItem | None
) -> None:
    updates: dict[str, Any] = {"synced_at": datetime.now(UTC)}
    if entry is not None:
        version_id, _ = _procore_version(entry)
        updates.update(
            procore_name=entry.name or base.procore_name,
            procore_parent_id=entry.parent_id,
            procore_version_id=version_id,
        )
    _save_after(current, base, item, updates)


def _compare(
    current: Pass, base: ItemBase, entry: DocumentEntry | None, item: DriveItem | None
) -> None:
    procore = runtime.procore_client()
    file = procore.get_file(current.scope, base.procore_id, latest_version_only=True)
    if file.download_url is None or item is None:
        return
    with Spool() as spool:
        spool.fill(procore.download(current.scope, file.download_url))
        same = spool.quick_xor == item.quick_xor_hash
    if same:
        _adopt(current, base, entry, item)
        return
    procore_newer = (file.updated_at or datetime.now(UTC)) >= (
        item.last_modified_date_time or datetime.now(UTC)
    )
    decision = reconcile.Apply(
        source=Side.PROCORE if procore_newer else Side.SHAREPOINT, content=True
    )
    if procore_newer:
        _procore_to_sharepoint(current, decision, base, entry)
    else:
        _sharepoint_to_procore(current, decision, base, item)
    current.record(
        LogAction.CONFLICT,
        name=base.procore_name,
        path=base.path,
        reason=f"both sides changed; the newer ({decision.source.value}) copy won "
        "and the other is kept as a prior version",
    )
