"""Carrying out the change pass's decisions on the two sides (DESIGN §4).

Each function writes to one side through its client, then records the pair's new base (state
moves only after the write is confirmed) and a log line. Re-running one after a crash finds the
base already moved and does nothing twice: the pass decides again from the new base.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared import runtime
from shared.errors import Conflict, InvalidRequest, NotFound, PreconditionFailed
from shared.graph.models import DriveItem
from shared.procore.models import DocumentEntry
from shared.state.items import ItemBase, ItemKind
from shared.state.log import LogAction
from shared.sync import reconcile
from shared.sync.model import ConflictPolicy, Side, copy_name
from shared.sync.names import MappedName, sharepoint_name
from shared.sync.pass_context import Pass
from shared.sync.records import folder_pair, procore_file_pair, save_pair
from shared.sync.spool import Spool


def procore_parent_known(current: Pass, entry: DocumentEntry) -> bool:
    if entry.parent_id is None:
        return False
    return current.store.items.find_by_procore(current.key, entry.parent_id) is not None


def procore_version(entry: DocumentEntry) -> tuple[int | None, int]:
    file = entry.file or {}
    version = file.get("current_version") or {}
    return version.get("id"), int(version.get("size") or file.get("size") or 0)


def procore_now(entry: DocumentEntry | None, base: ItemBase | None) -> reconcile.ProcoreNow | None:
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
    version_id, size = procore_version(entry)
    return reconcile.ProcoreNow(
        id=entry.id,
        name=entry.name or str(entry.id),
        parent_id=entry.parent_id,
        updated_at=entry.updated_at or datetime.now(UTC),
        version_id=version_id,
        size=size,
    )


def sharepoint_now(item: DriveItem | None, base: ItemBase | None) -> reconcile.SharePointNow | None:
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


def item_name(p_now: reconcile.ProcoreNow | None, s_now: reconcile.SharePointNow | None) -> str:
    if p_now is not None:
        return p_now.name
    return s_now.name if s_now is not None else ""


def base_view(base: ItemBase) -> reconcile.Base:
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


def apply_decision(
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
        current.deferred.append(item_name(p_now, s_now))
        return
    if isinstance(decision, reconcile.Forget):
        assert base is not None
        current.store.items.delete(base)
        return
    if isinstance(decision, reconcile.CreateOther):
        if decision.source is Side.SHAREPOINT:
            assert item is not None
            create_in_procore(current, item)
        else:
            assert entry is not None
            create_in_sharepoint(current, entry)
        return
    if isinstance(decision, reconcile.CompareContent) and base is None:
        assert entry is not None and item is not None
        pair_new(current, entry, item)
        return
    assert base is not None
    if isinstance(decision, reconcile.Delete):
        delete_pair(current, decision, base)
        return
    if isinstance(decision, reconcile.Restore):
        current.store.items.delete(base)
        if decision.deleted_on is Side.PROCORE:
            assert item is not None
            create_in_procore(current, item, restored=True)
        else:
            assert entry is not None
            create_in_sharepoint(current, entry, restored=True)
        return
    if isinstance(decision, reconcile.CompareContent):
        _compare(current, base, entry, item)
        return
    if isinstance(decision, reconcile.AdoptBase):
        _adopt(current, base, entry, item)
        return
    if isinstance(decision, reconcile.KeepCopy):
        keep_copy(current, base, decision.loser, decision.name)
        return
    if isinstance(decision, reconcile.Apply):
        if decision.source is Side.PROCORE:
            _procore_to_sharepoint(current, decision, base, entry, item)
        else:
            _sharepoint_to_procore(current, decision, base, item, entry)
        if decision.conflict and current.project.conflict_policy != ConflictPolicy.KEEP_BOTH:
            current.record(
                LogAction.CONFLICT,
                procore_id=base.procore_id,
                sharepoint_id=base.sharepoint_id,
                name=base.procore_name,
                path=base.path,
                reason=f"both sides changed; the newer ({decision.source.value}) copy won "
                "and the other is kept as a prior version",
            )


def _parent_sharepoint(current: Pass, procore_parent: int | None) -> str | None:
    """The SharePoint folder of a Procore parent; a folder deleted in SharePoint during this
    pass is made again first (an edit inside it wins over the delete, DESIGN §4)."""
    if procore_parent is None:
        return None
    parent = current.store.items.find_by_procore(current.key, procore_parent)
    if parent is None:
        return None
    if parent.sharepoint_id in current.gone_sharepoint:
        current.gone_sharepoint.discard(parent.sharepoint_id)
        current.store.items.delete(parent)
        create_in_sharepoint(current, entry_of(parent), restored=True)
        parent = current.store.items.find_by_procore(current.key, procore_parent)
    return parent.sharepoint_id if parent else None


def _parent_procore(current: Pass, sharepoint_parent: str | None) -> int | None:
    """The Procore folder of a SharePoint parent; a folder deleted in Procore during this pass
    is made again first."""
    if sharepoint_parent is None:
        return None
    parent = current.store.items.find_by_sharepoint(current.key, sharepoint_parent)
    if parent is None:
        return None
    if parent.procore_id in current.gone_procore:
        current.gone_procore.discard(parent.procore_id)
        current.store.items.delete(parent)
        item = runtime.graph_client().get_item(current.drive, parent.sharepoint_id)
        create_in_procore(current, item, restored=True)
        parent = current.store.items.find_by_sharepoint(current.key, sharepoint_parent)
    return parent.procore_id if parent else None


def entry_of(base: ItemBase) -> DocumentEntry:
    """A Procore item as the base knows it, for re-creating it on SharePoint."""
    return DocumentEntry(
        id=base.procore_id,
        name=base.procore_name,
        parent_id=base.procore_parent_id,
        document_type="folder" if base.kind == ItemKind.FOLDER else "file",
    )


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


def create_in_sharepoint(current: Pass, entry: DocumentEntry, restored: bool = False) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    parent = _parent_sharepoint(current, entry.parent_id)
    if parent is None:
        return
    name = entry.name or str(entry.id)
    path = _path_of(current, entry.parent_id, name)
    now = datetime.now(UTC)
    if entry.is_folder:
        try:
            created = graph.create_folder(
                current.drive, parent, _mapped(name, True), conflict_behavior="fail"
            )
        except Conflict:
            folder_twin = _sharepoint_twin(current, parent, name, folder=True)
            if folder_twin is not None:
                pair_new(current, entry, folder_twin)
                return
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
        _within_size_limit(current, file.size)
        twin: DriveItem | None = None
        with Spool() as spool:
            spool.fill(procore.download(current.scope, file.download_url))
            try:
                with spool.reader() as reader:
                    result = graph.upload_file(
                        current.drive,
                        reader,
                        spool.size,
                        parent_id=parent,
                        name=_mapped(name, False),
                        conflict_behavior="fail",
                    )
            except Conflict:
                twin = _sharepoint_twin(current, parent, name, folder=False)
                if twin is None:
                    with spool.reader() as reader:
                        result = graph.upload_file(
                            current.drive,
                            reader,
                            spool.size,
                            parent_id=parent,
                            name=_mapped(name, False),
                            conflict_behavior="rename",
                        )
        if twin is not None:
            if _still_being_saved(current, twin):
                current.deferred.append(name)
                current.deferred_procore.add(entry.id)
                return
            pair_new(current, entry, twin)
            return
        save_pair(
            current.store,
            procore_file_pair(
                current.key,
                file,
                name=name,
                parent_id=entry.parent_id,
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


def create_in_procore(current: Pass, item: DriveItem, restored: bool = False) -> None:
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
        try:
            folder = procore.create_folder(current.scope, name, parent)
        except Conflict:
            procore_twin = _procore_twin(current, parent, name, folder=True)
            if procore_twin is None:
                raise
            pair_new(current, procore_twin, item)
            return
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
        _within_size_limit(current, item.size)
        with Spool() as spool:
            graph.download(current.drive, item.id, spool)
            try:
                uploaded = procore.upload_file(
                    current.scope, parent, name, spool.upload_source(), unique_name=False
                )
            except Conflict:
                procore_twin = _procore_twin(current, parent, name, folder=False)
                if procore_twin is not None:
                    pair_new(current, procore_twin, item)
                    return
                uploaded = procore.upload_file(
                    current.scope, parent, name, spool.upload_source(), unique_name=True
                )
        fresh = graph.get_item(current.drive, item.id)
        save_pair(
            current.store,
            procore_file_pair(
                current.key,
                uploaded,
                name=uploaded.name,
                parent_id=parent,
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


def delete_pair(current: Pass, decision: reconcile.Delete, base: ItemBase) -> None:
    """Send the other side's item to its recycle bin and forget the pair.

    Deletes run deepest first, after everything else in the pass. A folder is deleted only once
    no pair is left inside it (API-NOTES B3: delete folders only if empty after the batch), so
    an item kept by an edit, or moved out, keeps its folder."""
    fresh = current.store.items.find_by_procore(current.key, base.procore_id)
    if fresh is None or fresh.sharepoint_id != base.sharepoint_id:
        return
    if base.kind == ItemKind.FOLDER and next(
        current.store.items.children(current.key, "procore", base.procore_id), None
    ):
        current.record(
            LogAction.SKIPPED,
            procore_id=base.procore_id,
            sharepoint_id=base.sharepoint_id,
            name=base.procore_name,
            path=base.path,
            reason=f"deleted in {decision.source.value}, but items inside it are still synced; "
            "the folder is kept",
        )
        return
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    try:
        if decision.source is Side.PROCORE:
            graph.delete_item(current.drive, base.sharepoint_id, if_match=_delete_etag(base))
            side = "sharepoint"
        else:
            if base.kind == ItemKind.FOLDER:
                procore.delete_folder(current.scope, base.procore_id)
            else:
                procore.delete_file(current.scope, base.procore_id)
            side = "procore"
    except NotFound:
        side = "sharepoint" if decision.source is Side.PROCORE else "procore"
    current.store.items.delete(fresh)
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
    current: Pass,
    decision: reconcile.Apply,
    base: ItemBase,
    entry: DocumentEntry | None,
    seen: DriveItem | None = None,
) -> None:
    """Carry a Procore change to SharePoint. New content is uploaded If-Match the eTag seen at
    decision time (DESIGN §4), so an edit made in SharePoint meanwhile is never overwritten:
    the upload answers `PreconditionFailed` and the item is decided again with both edits."""
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
                    current.drive,
                    reader,
                    spool.size,
                    item_id=base.sharepoint_id,
                    if_match=seen.e_tag if seen is not None else base.sharepoint_etag,
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
    current: Pass,
    decision: reconcile.Apply,
    base: ItemBase,
    item: DriveItem | None,
    entry: DocumentEntry | None = None,
    seen_version: int | None = None,
) -> None:
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    updates: dict[str, Any] = {"synced_at": datetime.now(UTC)}
    folder = base.kind == ItemKind.FOLDER
    if decision.content:
        if seen_version is None and entry is not None:
            seen_version = procore_version(entry)[0]
        _check_procore_version(current, base, seen_version or base.procore_version_id)
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


def _check_procore_version(current: Pass, base: ItemBase, seen: int | None) -> None:
    """Before a new version goes to Procore: Procore still holds the version the decision saw
    (Procore has no If-Match, so its version is read back); otherwise `PreconditionFailed`."""
    if seen is None:
        return
    file = runtime.procore_client().get_file(
        current.scope, base.procore_id, latest_version_only=True
    )
    latest = file.latest_version
    if latest is not None and latest.id != seen:
        raise PreconditionFailed(
            f"the Procore file changed since the decision (version {latest.id})",
            service="procore",
            status=409,
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
        version_id, _ = procore_version(entry)
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
    if current.project.conflict_policy == ConflictPolicy.KEEP_BOTH:
        loser = Side.SHAREPOINT if procore_newer else Side.PROCORE
        loser_name = base.procore_name if loser is Side.PROCORE else base.sharepoint_name
        keep_copy(current, base, loser, copy_name(loser_name, loser))
    if procore_newer:
        _procore_to_sharepoint(current, decision, base, entry, item)
    else:
        latest = file.latest_version
        _sharepoint_to_procore(
            current, decision, base, item, entry, seen_version=latest.id if latest else None
        )
    current.record(
        LogAction.CONFLICT,
        name=base.procore_name,
        path=base.path,
        reason=f"both sides changed; the newer ({decision.source.value}) copy won "
        "and the other is kept as a prior version",
    )


def keep_copy(current: Pass, base: ItemBase, loser: Side, name: str) -> None:
    """keep_both: the losing side's content, before it is overwritten, becomes a new file
    `name` beside the winner on both sides (a pair of its own). An existing file of that name
    is never overwritten: both services pick a free name instead."""
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    now = datetime.now(UTC)
    with Spool() as spool:
        if loser is Side.SHAREPOINT:
            graph.download(current.drive, base.sharepoint_id, spool)
        else:
            file = procore.get_file(current.scope, base.procore_id, latest_version_only=True)
            if file.download_url is None:
                return
            spool.fill(procore.download(current.scope, file.download_url))
        uploaded = procore.upload_file(
            current.scope, base.procore_parent_id, name, spool.upload_source(), unique_name=True
        )
        with spool.reader() as reader:
            result = graph.upload_file(
                current.drive,
                reader,
                spool.size,
                parent_id=base.sharepoint_parent_id,
                name=_mapped(uploaded.name or name, False),
                conflict_behavior="rename",
            )
    path = _path_of(current, base.procore_parent_id, uploaded.name or name)
    save_pair(
        current.store,
        procore_file_pair(
            current.key,
            uploaded,
            name=uploaded.name or name,
            parent_id=base.procore_parent_id,
            item=result.item,
            sharepoint_parent_id=base.sharepoint_parent_id,
            path=path,
            now=now,
        ),
    )
    current.record(
        LogAction.CONFLICT,
        side="both",
        procore_id=base.procore_id,
        sharepoint_id=base.sharepoint_id,
        name=base.procore_name,
        path=base.path,
        reason=f"both sides changed; the newer copy won and the {loser.value} copy is kept "
        f"beside it as {uploaded.name or name!r}",
    )


def _delete_etag(base: ItemBase) -> str | None:
    """Files are deleted If-Match their last synced eTag, so a SharePoint edit made since wins
    over the Procore delete; folders' eTags move with their children's renames, so not them."""
    return base.sharepoint_etag if base.kind == ItemKind.FILE else None


def pair_new(current: Pass, entry: DocumentEntry, item: DriveItem) -> None:
    """The same name created in one folder on both sides since the last pass: one item, not
    two. Folders are paired; files with equal content are linked; otherwise the newer copy
    wins and the other is kept as a prior version of the same file (or beside it, keep_both),
    so both sides end with one file under one name."""
    graph = runtime.graph_client()
    procore = runtime.procore_client()
    parent_sp = item.parent_reference.id if item.parent_reference else None
    name = entry.name or item.name or item.id
    path = _path_of(current, entry.parent_id, name)
    now = datetime.now(UTC)
    if entry.is_folder:
        save_pair(
            current.store,
            folder_pair(
                current.key,
                procore_id=entry.id,
                procore_name=name,
                procore_parent_id=entry.parent_id,
                item=item,
                sharepoint_parent_id=parent_sp,
                path=path,
                now=now,
            ),
        )
        current.record(LogAction.LINKED, side="both", name=name, path=path)
        return
    file = procore.get_file(current.scope, entry.id, latest_version_only=True)
    if file.download_url is None:
        return
    with Spool() as spool:
        spool.fill(procore.download(current.scope, file.download_url))
        same = spool.quick_xor == item.quick_xor_hash
        procore_newer = (file.updated_at or now) >= (item.last_modified_date_time or now)
        keep_both = current.project.conflict_policy == ConflictPolicy.KEEP_BOTH
        if not same and procore_newer:
            if keep_both:
                _copy_beside(current, entry, item, Side.SHAREPOINT)
            with spool.reader() as reader:
                item = graph.upload_file(
                    current.drive, reader, spool.size, item_id=item.id, if_match=item.e_tag
                ).item
    if not same and not procore_newer:
        if keep_both:
            _copy_beside(current, entry, item, Side.PROCORE)
        with Spool() as spool:
            graph.download(current.drive, item.id, spool)
            file = procore.add_version(current.scope, entry.id, spool.upload_source())
        item = graph.get_item(current.drive, item.id)
    save_pair(
        current.store,
        procore_file_pair(
            current.key,
            file,
            name=name,
            parent_id=entry.parent_id,
            item=item,
            sharepoint_parent_id=parent_sp,
            path=path,
            now=now,
        ),
    )
    if same:
        current.record(
            LogAction.LINKED, side="both", name=name, path=path, reason="created on both sides"
        )
        return
    winner = Side.PROCORE if procore_newer else Side.SHAREPOINT
    current.record(
        LogAction.CONFLICT,
        side="both",
        procore_id=entry.id,
        sharepoint_id=item.id,
        name=name,
        path=path,
        reason=f"created on both sides under one name; the newer ({winner.value}) copy won "
        "and the other is kept as a prior version",
    )


def _copy_beside(current: Pass, entry: DocumentEntry, item: DriveItem, loser: Side) -> None:
    """keep_both for a name created on both sides: the older copy as a pair of its own."""
    base = ItemBase(
        project_key=current.key,
        kind=ItemKind.FILE,
        procore_id=entry.id,
        sharepoint_id=item.id,
        procore_parent_id=entry.parent_id,
        sharepoint_parent_id=item.parent_reference.id if item.parent_reference else None,
        procore_name=entry.name or item.name or item.id,
        sharepoint_name=item.name or entry.name or item.id,
        path=_path_of(current, entry.parent_id, entry.name or item.id),
        synced_at=datetime.now(UTC),
    )
    loser_name = base.procore_name if loser is Side.PROCORE else base.sharepoint_name
    keep_copy(current, base, loser, copy_name(loser_name, loser))


def _sharepoint_twin(current: Pass, parent: str, name: str, *, folder: bool) -> DriveItem | None:
    """The SharePoint item of that name in that folder when it is new (no pair yet): the same
    name was created on both sides, and the two are one item."""
    wanted = _mapped(name, folder).casefold()
    for child in runtime.graph_client().list_children(current.drive, parent):
        if (child.name or "").casefold() != wanted or child.is_folder != folder:
            continue
        if current.store.items.find_by_sharepoint(current.key, child.id) is None:
            return child
        return None
    return None


def _procore_twin(current: Pass, parent: int, name: str, *, folder: bool) -> DocumentEntry | None:
    """The Procore file or folder of that name in that folder when it is new (no pair yet)."""
    listing = runtime.procore_client().get_folder(current.scope, parent)
    children = listing.folders if folder else listing.files
    for child in children:
        if (child.name or "").casefold() != name.casefold() or child.is_deleted:
            continue
        if current.store.items.find_by_procore(current.key, child.id) is not None:
            return None
        return DocumentEntry(
            id=child.id,
            name=child.name,
            parent_id=parent,
            document_type="folder" if folder else "file",
            updated_at=child.updated_at,
        )
    return None


def _still_being_saved(current: Pass, item: DriveItem) -> bool:
    quiet = timedelta(seconds=current.settings.quiet_period_s)
    modified = item.last_modified_date_time or datetime.now(UTC)
    return datetime.now(UTC) - modified < quiet or item.is_checked_out


def _within_size_limit(current: Pass, size: int | None) -> None:
    """A file over MAX_FILE_BYTES is refused before any byte moves (the pass skips it)."""
    limit = current.settings.max_file_bytes
    if size is not None and size > limit:
        raise InvalidRequest(
            f"{size} bytes is over the {limit}-byte limit (maxFileSizeExceeded)",
            service="sync",
            status=413,
            code="maxFileSizeExceeded",
        )
