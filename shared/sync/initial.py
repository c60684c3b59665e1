"""The initial sync, as fan-out over queues (DESIGN §1.2, §5).

1. `start` (sync-start): capture the SharePoint delta cursor and the Procore change watermark
   first, choose mirror or merge from what the destination holds, make the tool folders, and
   fan out the first folder scan.
2. `scan` (folder-scan): list one Procore folder (one request; download URLs come with it) and
   its SharePoint counterpart, decide with `shared.sync.merge.plan_folder`, create folders in
   SharePoint in `$batch`es, and fan out sub-folder scans and batched transfers.
3. `transfer` (transfer): copy, compare or link the files of one batch.
4. The Work table tells the last unit of the run that the run is done, exactly once; `finish`
   then moves the project to the regular phase and asks for the completion email.

Every step is idempotent: a unit that is done is not redone, a file whose base is recorded is
not copied again, a folder that exists is reused. Nothing is deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from shared.errors import ApiError, Conflict, Locked, NotFound, PreconditionFailed, Throttled
from shared.export.kickoff import initial_exports
from shared.graph.models import DriveItem
from shared.procore.models import FolderListing, ImageCategory, ProcoreFile
from shared.queues import FileTransfer, FolderScan, ProjectTick, SyncStart, Transfer
from shared.state.log import LogAction
from shared.state.pending import SkippedChange
from shared.state.projects import Phase, Project, ProjectCounters, SyncMode
from shared.state.work import UnitState
from shared.sync import merge
from shared.sync.handling import defer
from shared.sync.model import ConflictPolicy, ProcoreEntry, SharePointEntry, Side
from shared.sync.records import file_pair, folder_pair, photos_key, save_pair
from shared.sync.refusals import refusal
from shared.sync.run import Run, load_run, utcnow
from shared.sync.spool import Spool

ROOT_UNIT = "scan:root"
ALBUMS_UNIT = "photos:albums"
MAX_TRANSFER_ATTEMPTS = 5
LOCKED_RETRY_S = 120


# --- 1. start ----------------------------------------------------------------------------------


def start(message: SyncStart) -> None:
    _stepped(message.project_key, message.run_id, None, lambda run: _start(run, message))


def scan(message: FolderScan) -> None:
    _stepped(message.project_key, message.run_id, message.unit_id, lambda run: _scan(run, message))


def transfer(message: Transfer) -> None:
    _stepped(
        message.project_key, message.run_id, message.unit_id, lambda run: _transfer(run, message)
    )


def _stepped(
    project_key: str, run_id: str, unit_id: str | None, step: Callable[[Run], None]
) -> None:
    """Run one step for its run (dropping stale messages) and write its log and counters.
    A step that fails or is throttled gives its unit's claim back, so the retry needs no wait."""
    run = load_run(project_key, run_id)
    if run is None:
        return
    try:
        step(run)
    except Exception:
        if unit_id is not None:
            run.store.work.release(run.key, run.job, unit_id, run.owner)
        raise
    finally:
        run.flush()


def _start(run: Run, message: SyncStart) -> None:
    if run.paused:
        defer(message, 60, "project paused")
        return
    run.store.work.open_job(run.key, run.job)
    if run.project.started_run_id != run.run_id:
        _capture_cursors(run)
    folder_id = (
        run.project.folder_item_id
        or run.graph.get_folder_by_path(run.drive_id, run.project.folder_path).id
    )
    children = list(run.graph.list_children(run.drive_id, folder_id))
    mode = run.project.mode if run.project.mode is not None else _mode_for(children)
    docs_name = run.project.tool_folders.get("documents", "Documents")
    docs, created = _ensure_folder(run, folder_id, docs_name, children)
    run.store.projects.modify(
        run.key,
        lambda p: p.model_copy(
            update={
                "mode": mode,
                "folder_item_id": folder_id,
                "tool_folder_ids": {**p.tool_folder_ids, "documents": docs.id},
            }
        ),
    )
    scans = [
        FolderScan(
            project_key=run.key,
            run_id=run.run_id,
            unit_id=ROOT_UNIT,
            sharepoint_folder_id=docs.id,
            sharepoint_empty=created,
        )
    ]
    folders_made = int(created)
    if "photos" in run.project.tools:
        photos_name = run.project.tool_folders.get("photos", "Photos")
        photos, photos_created = _ensure_folder(run, folder_id, photos_name, children)
        folders_made += int(photos_created)
        run.store.projects.modify(
            run.key,
            lambda p: p.model_copy(
                update={"tool_folder_ids": {**p.tool_folder_ids, "photos": photos.id}}
            ),
        )
        scans.append(
            FolderScan(
                project_key=run.key,
                run_id=run.run_id,
                unit_id=ALBUMS_UNIT,
                source="photos",
                sharepoint_folder_id=photos.id,
                sharepoint_empty=photos_created,
            )
        )
    run.count(folders_created=folders_made)
    # One-way export of the other tools (shared.export): a unit per tool in this run's job.
    exports = initial_exports(run.key, run.project.tools, run.run_id)
    run.store.work.register(
        run.key, run.job, [scan.unit_id for scan in scans] + [unit for unit, _ in exports]
    )
    for scan_message in scans:
        run.sender.send(scan_message)
    for _, export_message in exports:
        run.sender.send(export_message)
    run.record(LogAction.INFO, detail=f"initial sync started ({mode.value})")
    run.flush()
    if run.store.work.seal(run.key, run.job) or _completed_by(run, "seal"):
        finish(run)


def _completed_by(run: Run, unit_id: str) -> bool:
    job = run.store.work.get_job(run.key, run.job)
    return job.completed and job.completed_by == unit_id


def _capture_cursors(run: Run) -> None:
    """Cursors first, so no change made during the enumeration is missed (DESIGN §4)."""
    delta_link = run.graph.latest_delta_link(run.drive_id)
    now = utcnow()
    watermark = now - timedelta(seconds=run.settings.procore_poll_overlap_s)
    run.project = run.store.projects.modify(
        run.key,
        lambda p: p.model_copy(
            update={
                "started_run_id": run.run_id,
                "initial_delta_link": delta_link,
                "procore_watermark": watermark,
                "initial_sync_started_at": now,
                "initial_sync_finished_at": None,
                "run_counters": ProjectCounters(),
                "mode": None,
            }
        ),
    )


def _mode_for(children: list[DriveItem]) -> SyncMode:
    return SyncMode.MIRROR if not children else SyncMode.MERGE


def _ensure_folder(
    run: Run, parent_id: str, name: str, siblings: list[DriveItem]
) -> tuple[DriveItem, bool]:
    """The named folder under `parent_id`, created when missing; True when created now."""
    for child in siblings:
        if child.name is not None and child.name.casefold() == name.casefold():
            if not child.is_folder:
                raise Conflict(
                    f"'{name}' in the mapped folder is a file, not a folder", service="graph"
                )
            return child, False
    try:
        return run.graph.create_folder(run.drive_id, parent_id, name), True
    except Conflict:
        existing = next(
            c
            for c in run.graph.list_children(run.drive_id, parent_id)
            if (c.name or "").casefold() == name.casefold()
        )
        return existing, False


# --- 2. scan -----------------------------------------------------------------------------------


def _scan(run: Run, message: FolderScan) -> None:
    if run.paused:
        defer(message, 60, "project paused")
        return
    if not _pending(run, message):
        return
    if message.source == "photos":
        _scan_photos(run, message)
        return
    if message.procore_empty and message.procore_folder_id is not None:
        listing = FolderListing(id=message.procore_folder_id)
    else:
        listing = run.procore.get_folder(run.scope, message.procore_folder_id)
    if message.procore_folder_id is None:
        _record_root(run, listing, message.sharepoint_folder_id)
    sharepoint_children = (
        []
        if message.sharepoint_empty
        else list(run.graph.list_children(run.drive_id, message.sharepoint_folder_id))
    )
    files_by_id = {f.id: f for f in listing.files if not f.is_deleted}
    procore_entries = [
        ProcoreEntry(
            id=f.id,
            name=f.name or str(f.id),
            is_folder=True,
            updated_at=f.updated_at or utcnow(),
        )
        for f in listing.folders
        if not (f.is_deleted or f.is_recycle_bin)
    ] + [
        ProcoreEntry(
            id=f.id,
            name=f.name,
            is_folder=False,
            updated_at=f.updated_at or utcnow(),
            size=_procore_size(f),
            version_id=f.latest_version.id if f.latest_version else None,
        )
        for f in files_by_id.values()
    ]
    sharepoint_by_id = {c.id: c for c in sharepoint_children}
    sharepoint_entries = [_sharepoint_entry(c) for c in sharepoint_children]
    rules = merge.MergeRules(
        now=utcnow(),
        policy=ConflictPolicy(run.project.conflict_policy),
        quiet_period=timedelta(seconds=run.settings.quiet_period_s),
        max_file_bytes=run.settings.max_file_bytes,
    )
    actions = merge.plan_folder(procore_entries, sharepoint_entries, rules)
    scans, transfers = _carry_out(run, message, listing, files_by_id, sharepoint_by_id, actions)
    _fan_out(run, message, scans, transfers)


CLAIM = timedelta(seconds=30)


def _pending(run: Run, message: FolderScan | Transfer) -> bool:
    """Whether this delivery should do the unit's work now.

    A unit is worked on by one delivery at a time (a claim that runs out if its worker dies);
    another delivery of the same work meanwhile comes back later. A unit that is done but
    completed the run (a redelivered winner whose finish was cut short) re-drives the finish,
    which is idempotent.
    """
    claim = run.store.work.claim(run.key, run.job, message.unit_id, run.owner, CLAIM)
    if claim.taken:
        return True
    if claim.finished:
        if _completed_by(run, message.unit_id):
            finish(run)
        return False
    wait = (claim.until - utcnow()).total_seconds() if claim.until else CLAIM.total_seconds()
    defer(message, wait + 1, "another delivery is working on this unit")
    return False


def _scan_photos(run: Run, message: FolderScan) -> None:
    """Photos: each album is a folder under the Photos folder, each photo a file in it."""
    children = (
        []
        if message.sharepoint_empty
        else list(run.graph.list_children(run.drive_id, message.sharepoint_folder_id))
    )
    by_id = {c.id: c for c in children}
    rules = merge.MergeRules(
        now=utcnow(),
        quiet_period=timedelta(seconds=run.settings.quiet_period_s),
        max_file_bytes=run.settings.max_file_bytes,
    )
    sharepoint_entries = [_sharepoint_entry(c) for c in children]
    if message.procore_folder_id is None:
        albums = {a.id: a for a in run.procore.list_albums(run.scope)}
        entries = [
            ProcoreEntry(id=a.id, name=a.name, is_folder=True, updated_at=a.updated_at or utcnow())
            for a in albums.values()
        ]
        actions = merge.plan_folder(entries, sharepoint_entries, rules)
        scans = _carry_out_albums(run, message, albums, by_id, actions)
        _fan_out(run, message, scans, [])
        return
    album_id = message.procore_folder_id
    images = (
        {}
        if message.procore_empty
        else {i.id: i for i in run.procore.list_photos(run.scope, album_id=album_id)}
    )
    entries = [
        ProcoreEntry(
            id=i.id,
            name=i.filename or i.name or f"photo-{i.id}",
            is_folder=False,
            updated_at=i.updated_at or utcnow(),
            size=i.size or 0,
        )
        for i in images.values()
    ]
    transfers: list[FileTransfer] = []
    for action in merge.plan_folder(entries, sharepoint_entries, rules):
        if isinstance(action, merge.CopyToSharePoint | merge.CopyToProcore | merge.CompareContent):
            image_id = (
                action.replace_id
                if isinstance(action, merge.CopyToProcore)
                else (action.procore_id)
            )
            image = images.get(image_id) if image_id is not None else None
            sharepoint_id = (
                action.replace_id
                if isinstance(action, merge.CopyToSharePoint)
                else action.sharepoint_id
                if isinstance(action, merge.CopyToProcore | merge.CompareContent)
                else None
            )
            item = by_id.get(sharepoint_id) if sharepoint_id else None
            if isinstance(action, merge.CopyToProcore) and action.replace_id is not None:
                _skip_photo(
                    run,
                    message,
                    action.name,
                    "the SharePoint copy is newer, but Procore "
                    "photos keep no versions; both copies are left as they are",
                )
                continue
            transfers.append(
                FileTransfer(
                    kind="to_sharepoint"
                    if isinstance(action, merge.CopyToSharePoint)
                    else "to_procore"
                    if isinstance(action, merge.CopyToProcore)
                    else "compare",
                    tool="photos",
                    name=action.name,
                    procore_name=(image.filename or image.name) if image else None,
                    size=action.size
                    if not isinstance(action, merge.CompareContent)
                    else (image.size or 0 if image else 0),
                    path=_child_path(message.path, action.name),
                    procore_id=image.id if image else None,
                    procore_parent_id=album_id,
                    procore_updated_at=image.updated_at if image else None,
                    download_url=image.url if image else None,
                    sharepoint_id=item.id if item else None,
                    sharepoint_parent_id=message.sharepoint_folder_id,
                    sharepoint_modified_at=_sharepoint_entry(item).modified_at if item else None,
                    sharepoint_ctag=item.c_tag if item else None,
                    sharepoint_quick_xor=item.quick_xor_hash if item else None,
                    sharepoint_etag=item.e_tag if item else None,
                    replace_sharepoint_id=(
                        action.replace_id if isinstance(action, merge.CopyToSharePoint) else None
                    ),
                    if_match=action.if_match
                    if isinstance(action, merge.CopyToSharePoint)
                    else (
                        item.e_tag if isinstance(action, merge.CompareContent) and item else None
                    ),
                )
            )
        elif isinstance(action, merge.CreateProcoreFolder):
            _skip_photo(run, message, action.name, "a Procore album holds photos, not folders")
        elif isinstance(action, merge.Skip | merge.Defer):
            reason = action.reason
            _skip_photo(run, message, action.name, reason, deferred=isinstance(action, merge.Defer))
    _fan_out(run, message, [], transfers)


def _carry_out_albums(
    run: Run,
    message: FolderScan,
    albums: dict[int, ImageCategory],
    by_id: dict[str, DriveItem],
    actions: list[merge.MergeAction],
) -> list[FolderScan]:
    now = utcnow()
    key = photos_key(run.key)
    scans: list[FolderScan] = []

    def record(
        album_id: int,
        name: str,
        item: DriveItem,
        *,
        sp_new: bool = False,
        procore_new: bool = False,
    ) -> None:
        save_pair(
            run.store,
            folder_pair(
                key,
                procore_id=album_id,
                procore_name=name,
                procore_parent_id=None,
                item=item,
                sharepoint_parent_id=message.sharepoint_folder_id,
                path=name,
                now=now,
                tool="photos",
            ),
        )
        scans.append(
            FolderScan(
                project_key=run.key,
                run_id=run.run_id,
                unit_id=f"album:{album_id}",
                source="photos",
                procore_folder_id=album_id,
                sharepoint_folder_id=item.id,
                path=name,
                sharepoint_empty=sp_new,
                procore_empty=procore_new,
            )
        )

    new = [a for a in actions if isinstance(a, merge.CreateSharePointFolder)]
    if new:
        created = run.graph.create_folder_tree(
            run.drive_id, message.sharepoint_folder_id, [a.name for a in new]
        )
        for made in new:
            record(made.procore_id, albums[made.procore_id].name, created[made.name], sp_new=True)
        run.count(folders_created=len(new))
    for action in actions:
        if isinstance(action, merge.PairFolders):
            record(action.procore_id, albums[action.procore_id].name, by_id[action.sharepoint_id])
        elif isinstance(action, merge.CreateProcoreFolder):
            album = run.procore.create_album(run.scope, action.name)
            record(album.id, album.name, by_id[action.sharepoint_id], procore_new=True)
            run.record(
                LogAction.COPIED,
                side="procore",
                name=action.name,
                path=action.name,
                detail="album created in Procore",
            )
        elif isinstance(action, merge.CopyToProcore | merge.CompareContent | merge.Defer):
            _skip_photo(
                run,
                message,
                action.name,
                "a file directly in the Photos folder belongs to no album; "
                "put it in an album's folder",
            )
        elif isinstance(action, merge.Skip):
            _skip_photo(run, message, action.name, action.reason)
    return scans


def _skip_photo(
    run: Run, message: FolderScan, name: str, reason: str, *, deferred: bool = False
) -> None:
    path = _child_path(f"Photos/{message.path}".rstrip("/"), name)
    if deferred:
        run.record(
            LogAction.INFO,
            name=name,
            path=path,
            reason=reason,
            detail="not taken yet; the regular sync takes it once saved and closed",
        )
        run.count(deferred=1)
    else:
        run.record(LogAction.SKIPPED, name=name, path=path, reason=reason)
        run.count(skipped=1)


def _record_root(run: Run, listing: FolderListing, sharepoint_folder_id: str) -> None:
    if run.store.items.find_by_procore(run.key, listing.id) is not None:
        return
    item = run.graph.get_item(run.drive_id, sharepoint_folder_id)
    save_pair(
        run.store,
        folder_pair(
            run.key,
            procore_id=listing.id,
            procore_name=listing.name or "",
            procore_parent_id=None,
            item=item,
            sharepoint_parent_id=None,
            path="",
            now=utcnow(),
        ),
    )


def _procore_size(f: ProcoreFile) -> int:
    latest = f.latest_version
    if latest is not None and latest.size is not None:
        return latest.size
    return f.size or 0


def _sharepoint_entry(item: DriveItem) -> SharePointEntry:
    return SharePointEntry(
        id=item.id,
        name=item.name or item.id,
        is_folder=item.is_folder,
        modified_at=(
            item.file_system_info.last_modified_date_time
            if item.file_system_info and item.file_system_info.last_modified_date_time
            else item.last_modified_date_time or utcnow()
        ),
        size=item.size or 0,
        etag=item.e_tag or "",
        ctag=item.c_tag,
        quick_xor=item.quick_xor_hash,
        checked_out=item.is_checked_out,
    )


def _child_path(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def _carry_out(
    run: Run,
    message: FolderScan,
    listing: FolderListing,
    files_by_id: dict[int, ProcoreFile],
    sharepoint_by_id: dict[str, DriveItem],
    actions: list[merge.MergeAction],
) -> tuple[list[FolderScan], list[FileTransfer]]:
    """Do the folder-level actions now; return the scans and file transfers to fan out."""
    now = utcnow()
    procore_names = {f.id: f.name or str(f.id) for f in listing.folders}
    scans: list[FolderScan] = []
    transfers: list[FileTransfer] = []
    new_folders = [a for a in actions if isinstance(a, merge.CreateSharePointFolder)]
    if new_folders:
        created = run.graph.create_folder_tree(
            run.drive_id, message.sharepoint_folder_id, [a.name for a in new_folders]
        )
        for new in new_folders:
            item = created[new.name]
            path = _record_folder(
                run, message, listing.id, new.procore_id, procore_names[new.procore_id], item, now
            )
            scans.append(_sub_scan(run, message, new.procore_id, item.id, path, sp_new=True))
        run.count(folders_created=len(new_folders))
    for action in actions:
        if isinstance(action, merge.PairFolders):
            item = sharepoint_by_id[action.sharepoint_id]
            name = procore_names[action.procore_id]
            path = _record_folder(run, message, listing.id, action.procore_id, name, item, now)
            scans.append(_sub_scan(run, message, action.procore_id, item.id, path))
        elif isinstance(action, merge.CreateProcoreFolder):
            item = sharepoint_by_id[action.sharepoint_id]
            folder = run.procore.create_folder(run.scope, action.name, listing.id)
            name = folder.name or action.name
            path = _record_folder(run, message, listing.id, folder.id, name, item, now)
            run.record(
                LogAction.COPIED,
                side="procore",
                name=action.name,
                path=path,
                detail="folder created in Procore",
            )
            run.count(folders_created=1)
            scans.append(_sub_scan(run, message, folder.id, item.id, path, procore_new=True))
        elif isinstance(action, merge.RenameSharePoint):
            run.graph.rename_item(
                run.drive_id, action.sharepoint_id, action.name, if_match=action.if_match
            )
            run.record(
                LogAction.CONFLICT,
                side="sharepoint",
                sharepoint_id=action.sharepoint_id,
                name=action.name,
                path=_child_path(message.path, action.name),
                reason="kept beside the newer Procore file (keep_both)",
            )
            run.count(conflicts=1)
        elif isinstance(action, merge.RenameProcore):
            run.procore.rename_file(run.scope, action.procore_id, action.name)
            run.record(
                LogAction.CONFLICT,
                side="procore",
                procore_id=action.procore_id,
                name=action.name,
                path=_child_path(message.path, action.name),
                reason="kept beside the newer SharePoint file (keep_both)",
            )
            run.count(conflicts=1)
        elif isinstance(action, merge.Skip):
            if action.side is Side.PROCORE and action.item_id.isdigit():
                _remember_skip(run, int(action.item_id))
            run.record(
                LogAction.SKIPPED,
                side=action.side.value,
                name=action.name,
                path=_child_path(message.path, action.name),
                reason=action.reason,
                **_ids(action.side, action.item_id),
            )
            run.count(skipped=1)
        elif isinstance(action, merge.Defer):
            run.record(
                LogAction.INFO,
                side="sharepoint",
                sharepoint_id=action.sharepoint_id,
                name=action.name,
                path=_child_path(message.path, action.name),
                reason=action.reason,
                detail="not taken yet; the regular sync takes it once saved and closed",
            )
            run.count(deferred=1)
        elif isinstance(
            action, merge.CopyToSharePoint | merge.CopyToProcore | merge.CompareContent
        ):
            transfers.append(
                _transfer_for(run, message, listing, files_by_id, sharepoint_by_id, action)
            )
    return scans, transfers


def _record_folder(
    run: Run,
    message: FolderScan,
    procore_parent_id: int,
    procore_id: int,
    procore_name: str,
    item: DriveItem,
    now: datetime,
) -> str:
    """Record a folder pair found or made by the scan; returns its path."""
    path = _child_path(message.path, procore_name)
    save_pair(
        run.store,
        folder_pair(
            run.key,
            procore_id=procore_id,
            procore_name=procore_name,
            procore_parent_id=procore_parent_id,
            item=item,
            sharepoint_parent_id=message.sharepoint_folder_id,
            path=path,
            now=now,
        ),
    )
    return path


def _ids(side: Side, item_id: str) -> dict[str, object]:
    if side is Side.PROCORE:
        return {"procore_id": int(item_id)} if item_id.isdigit() else {}
    return {"sharepoint_id": item_id}


def _sub_scan(
    run: Run,
    message: FolderScan,
    procore_id: int,
    sharepoint_id: str,
    path: str,
    *,
    sp_new: bool = False,
    procore_new: bool = False,
) -> FolderScan:
    return FolderScan(
        project_key=run.key,
        run_id=run.run_id,
        unit_id=f"scan:{procore_id}",
        procore_folder_id=procore_id,
        sharepoint_folder_id=sharepoint_id,
        path=path,
        sharepoint_empty=sp_new or message.sharepoint_empty,
        procore_empty=procore_new,
    )


def _transfer_for(
    run: Run,
    message: FolderScan,
    listing: FolderListing,
    files_by_id: dict[int, ProcoreFile],
    sharepoint_by_id: dict[str, DriveItem],
    action: merge.CopyToSharePoint | merge.CopyToProcore | merge.CompareContent,
) -> FileTransfer:
    procore_file = (
        files_by_id.get(action.procore_id)
        if isinstance(action, merge.CopyToSharePoint | merge.CompareContent)
        else files_by_id.get(action.replace_id)
        if action.replace_id is not None
        else None
    )
    sharepoint_item = None
    if isinstance(action, merge.CopyToProcore | merge.CompareContent):
        sharepoint_item = sharepoint_by_id.get(action.sharepoint_id)
    elif action.replace_id is not None:
        sharepoint_item = sharepoint_by_id.get(action.replace_id)
    kind: Literal["to_sharepoint", "to_procore", "compare"]
    if isinstance(action, merge.CopyToSharePoint):
        kind = "to_sharepoint"
    elif isinstance(action, merge.CopyToProcore):
        kind = "to_procore"
    else:
        kind = "compare"
    latest = procore_file.latest_version if procore_file else None
    procore_name = procore_file.name if procore_file else None
    return FileTransfer(
        kind=kind,
        name=action.name,
        procore_name=procore_name,
        size=action.size
        if not isinstance(action, merge.CompareContent)
        else (_procore_size(procore_file) if procore_file else 0),
        path=_child_path(message.path, procore_name or action.name),
        procore_id=procore_file.id if procore_file else None,
        procore_parent_id=listing.id,
        procore_version_id=latest.id if latest else None,
        procore_updated_at=procore_file.updated_at if procore_file else None,
        download_url=procore_file.download_url if procore_file else None,
        sharepoint_id=sharepoint_item.id if sharepoint_item else None,
        sharepoint_parent_id=message.sharepoint_folder_id,
        sharepoint_modified_at=_sharepoint_entry(sharepoint_item).modified_at
        if sharepoint_item
        else None,
        sharepoint_ctag=sharepoint_item.c_tag if sharepoint_item else None,
        sharepoint_quick_xor=sharepoint_item.quick_xor_hash if sharepoint_item else None,
        sharepoint_etag=sharepoint_item.e_tag if sharepoint_item else None,
        replace_procore_id=action.replace_id if isinstance(action, merge.CopyToProcore) else None,
        replace_sharepoint_id=(
            action.replace_id if isinstance(action, merge.CopyToSharePoint) else None
        ),
        if_match=(
            action.if_match
            if isinstance(action, merge.CopyToSharePoint)
            else sharepoint_item.e_tag
            if isinstance(action, merge.CompareContent) and sharepoint_item
            else None
        ),
    )


def _fan_out(
    run: Run, message: FolderScan, scans: list[FolderScan], files: list[FileTransfer]
) -> None:
    """Register every unit before sending its message and before finishing this one."""
    size = run.settings.transfer_batch_size
    batches = [files[i : i + size] for i in range(0, len(files), size)]
    prefix = f"xfer:{message.unit_id}:"
    transfers = [
        Transfer(
            project_key=run.key,
            run_id=run.run_id,
            unit_id=prefix + _batch_digest(batch),
            files=batch,
        )
        for batch in batches
    ]
    wanted = {t.unit_id for t in transfers}
    for stale in run.store.work.pending_with_prefix(run.key, run.job, prefix):
        if stale not in wanted:
            run.store.work.finish(
                run.key,
                run.job,
                stale,
                state=UnitState.DONE,
                note="superseded by a later scan of the folder",
            )
    run.store.work.register(
        run.key, run.job, [s.unit_id for s in scans] + [t.unit_id for t in transfers]
    )
    for scan_message in scans:
        run.sender.send(scan_message)
    for transfer_message in transfers:
        run.sender.send(transfer_message)
    run.flush()  # counters land before the unit counts as done (the email reads them)
    if run.store.work.finish(run.key, run.job, message.unit_id):
        finish(run)


def _batch_digest(batch: list[FileTransfer]) -> str:
    keys = sorted(f"{f.kind}:{f.procore_id}:{f.sharepoint_id}" for f in batch)
    return hashlib.sha256("|".join(keys).encode()).hexdigest()[:16]


# --- 3. transfer -------------------------------------------------------------------------------


def _transfer(run: Run, message: Transfer) -> None:
    if run.paused:
        defer(message, 60, "project paused")
        return
    if not _pending(run, message):
        return
    retry: list[FileTransfer] = []
    for index, file in enumerate(message.files):
        if index:
            run.store.work.claim(run.key, run.job, message.unit_id, run.owner, CLAIM)
        try:
            _transfer_one(run, file)
        except Throttled as exc:
            rest = message.model_copy(update={"files": [*retry, *message.files[index:]]})
            wait = (exc.retry_at - utcnow()).total_seconds()
            run.store.work.release(run.key, run.job, message.unit_id, run.owner)
            defer(rest, wait, f"{exc.service} throttled")
            return
        except (Locked, PreconditionFailed) as exc:
            if file.attempt + 1 >= MAX_TRANSFER_ATTEMPTS:
                _skip(run, file, f"still in use or changing after {file.attempt + 1} tries: {exc}")
            else:
                retry.append(file.model_copy(update={"attempt": file.attempt + 1}))
        except (NotFound, Conflict) as exc:
            _skip(run, file, refusal(exc))
        except ApiError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                _skip(run, file, refusal(exc))
            else:
                raise
    if retry:
        run.store.work.release(run.key, run.job, message.unit_id, run.owner)
        run.sender.send(message.model_copy(update={"files": retry}), delay_s=LOCKED_RETRY_S)
        return
    run.flush()  # counters land before the unit counts as done (the email reads them)
    if run.store.work.finish(run.key, run.job, message.unit_id):
        finish(run)


def _remember_skip(run: Run, procore_id: int) -> None:
    """The regular sync does not try a Procore file the initial sync refused again, until the
    file changes (`shared.state.pending.SkippedChange`)."""
    run.store.skipped.remember(
        run.key, SkippedChange(procore_id=procore_id, skipped_at=datetime.now(UTC))
    )


def _skip(run: Run, file: FileTransfer, reason: str) -> None:
    if file.procore_id is not None and file.tool == "documents" and file.kind != "to_procore":
        _remember_skip(run, file.procore_id)
    side = "sharepoint" if file.kind in ("to_sharepoint", "compare") else "procore"
    run.record(
        LogAction.SKIPPED,
        side=side,
        name=file.name,
        path=file.path,
        reason=reason,
        procore_id=file.procore_id,
        sharepoint_id=file.sharepoint_id,
    )
    run.count(skipped=1)


def _transfer_one(run: Run, file: FileTransfer) -> None:
    if file.kind == "to_procore":
        _to_procore(run, file)
    elif file.kind == "compare":
        _compare(run, file)
    else:
        _to_sharepoint(run, file)


def _items_key(run: Run, file: FileTransfer) -> str:
    return photos_key(run.key) if file.tool == "photos" else run.key


def _already_done(run: Run, file: FileTransfer) -> bool:
    key = _items_key(run, file)
    if file.procore_id is not None:
        base = run.store.items.find_by_procore(key, file.procore_id)
        if base is not None and base.procore_version_id == file.procore_version_id:
            return True
    if file.kind == "to_procore" and file.sharepoint_id is not None:
        return run.store.items.find_by_sharepoint(key, file.sharepoint_id) is not None
    return False


def _download_procore(run: Run, file: FileTransfer, spool: Spool) -> None:
    assert file.procore_id is not None
    url = file.download_url
    if url is None:
        url = run.procore.get_file(
            run.scope, file.procore_id, latest_version_only=True
        ).download_url
    if url is None:
        raise NotFound(f"Procore file {file.procore_id} has no content", service="procore")
    try:
        spool.fill(run.procore.download(run.scope, url))
    except NotFound:
        if file.tool == "photos":
            raise
        fresh = run.procore.get_file(run.scope, file.procore_id, latest_version_only=True)
        if fresh.download_url is None:
            raise
        spool.fill(run.procore.download(run.scope, fresh.download_url))


def _record_procore_file(run: Run, file: FileTransfer, item: DriveItem) -> None:
    """Record the pair of a Procore file and the SharePoint file that now holds its content."""
    assert file.procore_id is not None
    save_pair(
        run.store,
        file_pair(
            _items_key(run, file),
            tool=file.tool,
            procore_id=file.procore_id,
            procore_name=file.procore_name or file.name,
            procore_parent_id=file.procore_parent_id,
            procore_version_id=file.procore_version_id,
            procore_version_number=None,
            procore_modified_at=file.procore_updated_at,
            item=item,
            sharepoint_parent_id=file.sharepoint_parent_id,
            path=file.path,
            now=utcnow(),
        ),
    )


def _to_sharepoint(run: Run, file: FileTransfer, spool: Spool | None = None) -> None:
    if spool is None and _already_done(run, file):
        return
    owned = spool is None
    spool = spool or Spool()
    try:
        if owned:
            _download_procore(run, file, spool)
        with spool.reader() as reader:
            result = run.graph.upload_file(
                run.drive_id,
                reader,
                spool.size,
                parent_id=None if file.replace_sharepoint_id else file.sharepoint_parent_id,
                name=None if file.replace_sharepoint_id else file.name,
                item_id=file.replace_sharepoint_id,
                conflict_behavior="replace",
                if_match=file.if_match if file.replace_sharepoint_id else None,
            )
    finally:
        if owned:
            spool.discard()
    _record_procore_file(run, file, result.item)
    replaced = file.replace_sharepoint_id is not None
    run.record(
        LogAction.UPDATED if replaced else LogAction.COPIED,
        side="sharepoint",
        procore_id=file.procore_id,
        sharepoint_id=result.item.id,
        name=file.name,
        path=file.path,
        reason="the Procore copy was newer; the SharePoint copy is kept as a prior version"
        if replaced
        else None,
    )
    run.count(
        files_copied=1,
        files_to_sharepoint=1,
        bytes_copied=spool.size,
        conflicts=1 if replaced else 0,
    )


def _to_procore(run: Run, file: FileTransfer) -> None:
    if _already_done(run, file):
        return
    assert file.sharepoint_id is not None
    version_id: int | None = None
    version_number: int | None = None
    with Spool() as spool:
        run.graph.download(run.drive_id, file.sharepoint_id, spool)
        spool.finish()
        source = spool.upload_source()
        if file.tool == "photos":
            image = run.procore.upload_photo(run.scope, file.procore_parent_id, file.name, source)
            procore_id, procore_name = image.id, image.filename or file.name
            modified = image.updated_at
        else:
            if file.replace_procore_id is not None:
                uploaded = run.procore.add_version(run.scope, file.replace_procore_id, source)
            else:
                uploaded = run.procore.upload_file(
                    run.scope, file.procore_parent_id, file.name, source
                )
            latest = uploaded.latest_version
            procore_id, procore_name, modified = uploaded.id, uploaded.name, uploaded.updated_at
            version_id = latest.id if latest else None
            version_number = latest.number if latest else None
        size = spool.size
    item = run.graph.get_item(run.drive_id, file.sharepoint_id)
    save_pair(
        run.store,
        file_pair(
            _items_key(run, file),
            tool=file.tool,
            procore_id=procore_id,
            procore_name=procore_name,
            procore_parent_id=file.procore_parent_id,
            procore_version_id=version_id,
            procore_version_number=version_number,
            procore_modified_at=modified,
            item=item,
            sharepoint_parent_id=file.sharepoint_parent_id,
            path=file.path,
            now=utcnow(),
        ),
    )
    replaced = file.replace_procore_id is not None
    run.record(
        LogAction.UPDATED if replaced else LogAction.COPIED,
        side="procore",
        procore_id=procore_id,
        sharepoint_id=file.sharepoint_id,
        name=file.name,
        path=file.path,
        reason="the SharePoint copy was newer; the Procore copy is kept as a prior version"
        if replaced
        else None,
    )
    run.count(files_copied=1, files_to_procore=1, bytes_copied=size, conflicts=1 if replaced else 0)


def _compare(run: Run, file: FileTransfer) -> None:
    if _already_done(run, file):
        return
    assert file.procore_id is not None and file.sharepoint_id is not None
    with Spool() as spool:
        _download_procore(run, file, spool)
        procore_entry = ProcoreEntry(
            id=file.procore_id,
            name=file.name,
            is_folder=False,
            updated_at=file.procore_updated_at or utcnow(),
            size=spool.size,
            version_id=file.procore_version_id,
        )
        sharepoint_entry = SharePointEntry(
            id=file.sharepoint_id,
            name=file.name,
            is_folder=False,
            modified_at=file.sharepoint_modified_at or utcnow(),
            size=file.size,
            etag=file.if_match or "",
            ctag=file.sharepoint_ctag,
            quick_xor=file.sharepoint_quick_xor,
        )
        rules = merge.MergeRules(
            now=utcnow(),
            quiet_period=timedelta(seconds=run.settings.quiet_period_s),
            max_file_bytes=run.settings.max_file_bytes,
        )
        decision = merge.resolve_same_name(
            procore_entry, sharepoint_entry, spool.quick_xor, set(), rules
        )[0]
        if isinstance(decision, merge.Link):
            _record_procore_file(run, file, _listed_item(file))
            run.record(
                LogAction.LINKED,
                side="both",
                procore_id=file.procore_id,
                sharepoint_id=file.sharepoint_id,
                name=file.name,
                path=file.path,
                detail="identical on both sides; nothing copied",
            )
            run.count(files_linked=1)
        elif isinstance(decision, merge.CopyToSharePoint):
            _to_sharepoint(
                run,
                file.model_copy(
                    update={"replace_sharepoint_id": file.sharepoint_id, "kind": "to_sharepoint"}
                ),
                spool,
            )
        elif isinstance(decision, merge.CopyToProcore):
            _to_procore(
                run,
                file.model_copy(
                    update={"replace_procore_id": file.procore_id, "kind": "to_procore"}
                ),
            )
        elif isinstance(decision, merge.Defer):
            run.record(
                LogAction.INFO,
                side="sharepoint",
                sharepoint_id=file.sharepoint_id,
                name=file.name,
                path=file.path,
                reason=decision.reason,
                detail="not compared yet; the regular sync takes it once saved and closed",
            )
            run.count(deferred=1)


def _listed_item(file: FileTransfer) -> DriveItem:
    """The SharePoint file as the folder listing showed it (no request needed to link it)."""
    assert file.sharepoint_id is not None
    return DriveItem.model_validate(
        {
            "id": file.sharepoint_id,
            "name": file.name,
            "eTag": file.sharepoint_etag,
            "cTag": file.sharepoint_ctag,
            "size": file.size,
            "lastModifiedDateTime": file.sharepoint_modified_at,
            "file": {"hashes": {"quickXorHash": file.sharepoint_quick_xor}},
        }
    )


# --- 4. finish ---------------------------------------------------------------------------------


def finish(run: Run) -> None:
    """The run is complete: regular phase (or back to it on resume, when paused meanwhile),
    then a change pass for what changed during the run, which then asks for the completion
    email. Idempotent: a re-driven finish changes nothing twice."""
    now = utcnow()
    finished: list[bool] = []

    def complete(p: Project) -> Project | None:
        finished.clear()
        if p.initial_run_id != run.run_id or p.initial_sync_finished_at is not None:
            return None
        finished.append(True)
        update: dict[str, object] = {"initial_sync_finished_at": now}
        if p.phase == Phase.PAUSED:
            update["paused_from"] = Phase.REGULAR
        else:
            update["phase"] = Phase.REGULAR
        return p.model_copy(update=update)

    run.store.projects.modify(run.key, complete)
    if finished:
        run.record(LogAction.INFO, detail="initial sync complete")
        run.flush()
    run.sender.send(
        ProjectTick(
            project_key=run.key,
            tick_id=f"after-{run.run_id}",
            reason="changes made during the initial sync",
            notify_run_id=run.run_id,
        )
    )
