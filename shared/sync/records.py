"""Items rows (the base) built from what the sides answered, and written idempotently."""

from __future__ import annotations

from datetime import datetime

from shared.graph.models import DriveItem
from shared.procore.models import ProcoreFile
from shared.state import AlreadyExists, StateStore
from shared.state.items import ItemBase, ItemKind


def folder_pair(
    project_key: str,
    *,
    procore_id: int,
    procore_name: str,
    procore_parent_id: int | None,
    item: DriveItem,
    sharepoint_parent_id: str | None,
    path: str,
    now: datetime,
    tool: str = "documents",
) -> ItemBase:
    return ItemBase(
        project_key=project_key,
        kind=ItemKind.FOLDER,
        tool=tool,
        procore_id=procore_id,
        sharepoint_id=item.id,
        procore_parent_id=procore_parent_id,
        sharepoint_parent_id=sharepoint_parent_id,
        procore_name=procore_name,
        sharepoint_name=item.name or procore_name,
        path=path,
        sharepoint_etag=item.e_tag,
        sharepoint_modified_at=item.last_modified_date_time,
        synced_at=now,
    )


def photos_key(project_key: str) -> str:
    """The Items partition of a project's photos and albums: Procore numbers images and albums
    apart from documents, so their ids may coincide with document ids."""
    return f"{project_key}~photos"


def file_pair(
    project_key: str,
    *,
    procore_id: int,
    procore_name: str,
    procore_parent_id: int | None,
    procore_version_id: int | None,
    procore_version_number: int | None,
    procore_modified_at: datetime | None,
    item: DriveItem,
    sharepoint_parent_id: str | None,
    path: str,
    now: datetime,
    tool: str = "documents",
) -> ItemBase:
    return ItemBase(
        project_key=project_key,
        kind=ItemKind.FILE,
        tool=tool,
        procore_id=procore_id,
        sharepoint_id=item.id,
        procore_parent_id=procore_parent_id,
        sharepoint_parent_id=sharepoint_parent_id,
        procore_name=procore_name,
        sharepoint_name=item.name or procore_name,
        path=path,
        size=item.size,
        procore_version_id=procore_version_id,
        procore_version_number=procore_version_number,
        sharepoint_etag=item.e_tag,
        sharepoint_ctag=item.c_tag,
        quick_xor_hash=item.quick_xor_hash,
        procore_modified_at=procore_modified_at,
        sharepoint_modified_at=item.last_modified_date_time,
        synced_at=now,
    )


def procore_file_pair(
    project_key: str,
    file: ProcoreFile,
    *,
    name: str,
    parent_id: int | None,
    item: DriveItem,
    sharepoint_parent_id: str | None,
    path: str,
    now: datetime,
) -> ItemBase:
    """`file_pair` for a Procore file as the API answered it (its latest version)."""
    latest = file.latest_version
    return file_pair(
        project_key,
        procore_id=file.id,
        procore_name=name,
        procore_parent_id=parent_id,
        procore_version_id=latest.id if latest else None,
        procore_version_number=latest.number if latest else None,
        procore_modified_at=file.updated_at,
        item=item,
        sharepoint_parent_id=sharepoint_parent_id,
        path=path,
        now=now,
    )


def save_pair(store: StateStore, pair: ItemBase) -> ItemBase:
    """Record a pair; an existing base for either id is updated in place (never duplicated)."""
    existing = store.items.find_by_procore(pair.project_key, pair.procore_id)
    if existing is None:
        existing = store.items.find_by_sharepoint(pair.project_key, pair.sharepoint_id)
    if existing is None:
        try:
            return store.items.save(pair)
        except AlreadyExists:
            existing = store.items.find_by_procore(pair.project_key, pair.procore_id)
            if existing is None:
                raise
    updated = pair.model_copy(update={"etag": existing.etag, "read_row": existing.read_row})
    return store.items.save(updated, replacing=existing)


def stale_item(item: DriveItem, base: ItemBase | None) -> bool:
    """A delta item older than the base is not news: the base was written after our own later
    write to it (a pull that read the feed before that write, or a redelivered feed)."""
    if base is None or base.sharepoint_modified_at is None or item.last_modified_date_time is None:
        return False
    return item.last_modified_date_time < base.sharepoint_modified_at
