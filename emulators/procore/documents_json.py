"""JSON shapes of folders, files and file versions (API-NOTES A5 field lists)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from emulators.procore.model import USERS, File, Folder, Version, World
from emulators.procore.timefmt import iso


def blob_url(base_url: str, blob_id: int) -> str:
    return f"{base_url}/prostore/blobs/{blob_id}"


def file_type(name: str) -> str:
    return PurePosixPath(name).suffix.lstrip(".").lower()


def version_json(world: World, version: Version, base_url: str) -> dict[str, Any]:
    url = blob_url(base_url, version.blob_id)
    file = world.files[version.file_id]
    return {
        "id": version.id,
        "number": version.number,
        "notes": version.notes,
        "url": url,
        "size": version.size,
        "created_at": iso(version.created_at),
        "created_by": USERS.get(version.created_by, {"id": version.created_by}),
        "file_id": version.file_id,
        "prostore_file": {
            "id": version.blob_id,
            "name": file.name,
            "url": url,
            "filename": file.name,
        },
    }


def file_json(
    world: World,
    file: File,
    base_url: str,
    latest_only: bool = False,
    parent_path: str | None = None,
) -> dict[str, Any]:
    versions = [file.latest] if latest_only else list(reversed(file.versions))
    if parent_path is None:
        path = world.file_path(file)
    else:
        path = f"{parent_path}/{file.name}" if parent_path else file.name
    return {
        "id": file.id,
        "name": file.name,
        "parent_id": file.parent_id,
        "size": file.latest.size,
        "description": file.description,
        "created_at": iso(file.created_at),
        "updated_at": iso(file.updated_at),
        "checked_out_until": file.checked_out_until,
        "checked_out_by": USERS.get(file.checked_out_by) if file.checked_out_by else None,
        "name_with_path": path,
        "private": file.private,
        "is_tracked": False,
        "file_type": file_type(file.name),
        "file_versions": [version_json(world, v, base_url) for v in versions],
        "legacy_id": None,
        "is_deleted": file.is_deleted,
        "custom_fields": {},
    }


def folder_json(
    world: World,
    folder: Folder,
    base_url: str,
    children: bool = True,
    exclude_folders: bool = False,
    exclude_files: bool = False,
    latest_only: bool = False,
    path: str | None = None,
) -> dict[str, Any]:
    own_path = world.folder_path(folder) if path is None else path
    live_folders = [world.folders[i] for i in folder.folder_ids if not world.folders[i].is_deleted]
    live_files = [world.files[i] for i in folder.file_ids if not world.files[i].is_deleted]
    body: dict[str, Any] = {
        "id": folder.id,
        "name": folder.name,
        "parent_id": folder.parent_id,
        "private": folder.private,
        "created_at": iso(folder.created_at),
        "updated_at": iso(folder.updated_at),
        "is_tracked": folder.is_tracked,
        "name_with_path": own_path,
        "folders": [],
        "files": [],
        "read_only": False,
        "is_deleted": folder.is_deleted,
        "is_recycle_bin": False,
        "has_children": bool(live_folders or live_files),
        "has_children_files": bool(live_files),
        "has_children_folders": bool(live_folders),
        "custom_fields": {},
    }
    if children and not folder.is_deleted:
        if not exclude_folders:
            body["folders"] = [
                folder_json(
                    world,
                    child,
                    base_url,
                    children=False,
                    path=f"{own_path}/{child.name}" if own_path else child.name,
                )
                for child in sorted(live_folders, key=lambda f: (f.name.casefold(), f.id))
            ]
        if not exclude_files:
            body["files"] = [
                file_json(world, child, base_url, latest_only, parent_path=own_path)
                for child in sorted(live_files, key=lambda f: (f.name.casefold(), f.id))
            ]
    return body


def index_item(world: World, item: Folder | File) -> dict[str, Any]:
    """An item of the flat `/documents` index (no download URLs there)."""
    is_file = isinstance(item, File)
    path = world.file_path(item) if isinstance(item, File) else world.folder_path(item)
    body: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "name_with_path": path,
        "parent_id": item.parent_id,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "is_deleted": item.is_deleted,
        "is_recycle_bin": False,
        "document_type": "file" if is_file else "folder",
        "private": item.private,
        "read_only": False,
    }
    if isinstance(item, File):
        latest = item.latest
        body["file"] = {
            "size": latest.size,
            "file_type": file_type(item.name),
            "current_version": {"id": latest.id, "number": latest.number, "size": latest.size},
        }
    return body
