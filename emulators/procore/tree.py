"""Documents tool rules (API-NOTES A5): create, rename, move, delete (recycle bin), new versions,
`unique_name` and name clashes. Used by the REST API (as the app) and the control API (as a user);
every change fires the matching webhook event.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from emulators.procore.api_errors import ApiError, field_error, not_found
from emulators.procore.content import Content
from emulators.procore.emulator import Emulator
from emulators.procore.model import Actor, File, Folder, Scope, Version

# [U] Procore's exact per-name rules are unpublished; "/" and blank names are refused.
BAD_NAME = re.compile(r"[/\x00-\x1f]")


def check_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise field_error(422, "name", "can't be blank")
    if BAD_NAME.search(name):
        raise field_error(422, "name", "contains invalid characters")
    return name


def _clash(status_body_file: File | None) -> ApiError:
    body: dict[str, object] = {
        "errors": {"base": ["Name has already been taken"]},
        "error_type": "name_taken",
    }
    if status_body_file is not None:
        body["file"] = {"id": status_body_file.id, "name": status_body_file.name}
    return ApiError(409, body)


def live_folder(emu: Emulator, scope: Scope, folder_id: int | None) -> Folder:
    """A folder of this scope (the root when `folder_id` is None) that is not deleted."""
    if folder_id is None:
        return emu.world.scope_root(scope)
    folder = emu.world.folders.get(folder_id)
    if folder is None or folder.scope != scope:
        raise not_found()
    if folder.is_deleted:
        raise field_error(422, "parent_id", "folder is in the recycle bin")
    return folder


def _sibling_folder(emu: Emulator, parent: Folder, name: str, skip: int | None) -> Folder | None:
    lowered = name.casefold()
    for fid in parent.folder_ids:
        other = emu.world.folders[fid]
        if fid != skip and not other.is_deleted and other.name.casefold() == lowered:
            return other
    return None


def _sibling_file(emu: Emulator, parent: Folder, name: str, skip: int | None) -> File | None:
    lowered = name.casefold()
    for fid in parent.file_ids:
        other = emu.world.files[fid]
        if fid != skip and not other.is_deleted and other.name.casefold() == lowered:
            return other
    return None


def _unique(emu: Emulator, parent: Folder, name: str) -> str:
    """`Name (1).ext`, `Name (2).ext`, ... as `unique_name=true` asks [U: exact pattern]."""
    path = PurePosixPath(name)
    stem, suffix = (path.stem, path.suffix) if path.suffix else (name, "")
    n = 1
    candidate = name
    while _sibling_file(emu, parent, candidate, None) is not None:
        candidate = f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def create_folder(
    emu: Emulator,
    scope: Scope,
    parent_id: int | None,
    name: str | None,
    actor: Actor,
    private: bool = False,
    emit: bool = True,
) -> Folder:
    parent = live_folder(emu, scope, parent_id)
    name = check_name(name)
    if _sibling_folder(emu, parent, name, None) is not None:
        raise _clash(None)
    now = emu.world.now()
    folder = Folder(emu.world.new_id(), scope, name, parent.id, private or parent.private, now, now)
    emu.world.folders[folder.id] = folder
    parent.folder_ids.append(folder.id)
    parent.updated_at = now
    if emit:
        emu.emit(f"{scope.kind} Folders", "create", folder.id, scope, actor)
    return folder


def update_folder(
    emu: Emulator,
    folder: Folder,
    actor: Actor,
    name: str | None = None,
    parent_id: int | None = None,
    private: bool | None = None,
) -> Folder:
    if folder.parent_id is None:
        raise field_error(422, "base", "The root folder cannot be changed")
    if folder.is_deleted:
        raise field_error(422, "base", "The folder is in the recycle bin")
    new_name = check_name(name) if name is not None else folder.name
    parent = emu.world.folders[folder.parent_id]
    if parent_id is not None and parent_id != folder.parent_id:
        parent = live_folder(emu, folder.scope, parent_id)
        walk: Folder | None = parent
        while walk is not None:
            if walk.id == folder.id:
                raise field_error(422, "parent_id", "cannot move a folder into itself")
            walk = emu.world.folders.get(walk.parent_id) if walk.parent_id else None
    if _sibling_folder(emu, parent, new_name, folder.id) is not None:
        raise _clash(None)
    now = emu.world.now()
    if parent.id != folder.parent_id:
        old = emu.world.folders[folder.parent_id]
        old.folder_ids.remove(folder.id)
        old.updated_at = now
        parent.folder_ids.append(folder.id)
        parent.updated_at = now
        folder.parent_id = parent.id
    folder.name = new_name
    if private is not None:
        folder.private = private
    folder.updated_at = now
    emu.emit(f"{folder.scope.kind} Folders", "update", folder.id, folder.scope, actor)
    return folder


def delete_folder(emu: Emulator, folder: Folder, actor: Actor) -> None:
    """To the recycle bin with everything below it."""
    if folder.parent_id is None:
        raise field_error(422, "base", "The root folder cannot be deleted")
    if folder.is_deleted:
        raise not_found()
    now = emu.world.now()
    stack = [folder]
    while stack:
        current = stack.pop()
        current.is_deleted = True
        current.updated_at = now
        for fid in current.file_ids:
            file = emu.world.files[fid]
            if not file.is_deleted:
                file.is_deleted = True
                file.updated_at = now
        stack.extend(emu.world.folders[f] for f in current.folder_ids)
    emu.world.folders[folder.parent_id].updated_at = now
    emu.emit(f"{folder.scope.kind} Folders", "delete", folder.id, folder.scope, actor)


def _new_version(
    emu: Emulator, file: File, content: Content, notes: str, actor: Actor, now: float
) -> Version:
    blob = emu.world.add_blob(content, file.name)
    version = Version(
        emu.world.new_id(),
        file.id,
        len(file.versions) + 1,
        blob.id,
        content.size,
        notes,
        now,
        actor.user_id,
    )
    file.versions.append(version)
    emu.world.versions[version.id] = version
    return version


def create_file(
    emu: Emulator,
    scope: Scope,
    parent_id: int | None,
    name: str | None,
    content: Content,
    actor: Actor,
    unique_name: bool = False,
    description: str = "",
    private: bool = False,
    emit: bool = True,
) -> File:
    parent = live_folder(emu, scope, parent_id)
    name = check_name(name)
    existing = _sibling_file(emu, parent, name, None)
    if existing is not None:
        if not unique_name:
            raise _clash(existing)
        name = _unique(emu, parent, name)
    now = emu.world.now()
    file = File(
        emu.world.new_id(), scope, name, parent.id, private or parent.private, description, now, now
    )
    emu.world.files[file.id] = file
    _new_version(emu, file, content, "", actor, now)
    parent.file_ids.append(file.id)
    parent.updated_at = now
    if emit:
        emu.emit(f"{scope.kind} Files", "create", file.id, scope, actor)
    return file


def check_editable(file: File, actor: Actor) -> None:
    if file.is_deleted:
        raise field_error(422, "base", "The file is in the recycle bin")
    if file.checked_out_by is not None and file.checked_out_by != actor.user_id:
        raise ApiError(
            409,
            {
                "errors": {"base": ["File is checked out by another user"]},
                "error_type": "checked_out",
                "file": {"id": file.id, "name": file.name, "checked_out_by": file.checked_out_by},
            },
        )


def add_version(
    emu: Emulator, file: File, content: Content, actor: Actor, notes: str = ""
) -> Version:
    check_editable(file, actor)
    now = emu.world.now()
    version = _new_version(emu, file, content, notes, actor, now)
    file.updated_at = now
    emu.world.folders[file.parent_id].updated_at = now
    emu.emit(f"{file.scope.kind} File Versions", "create", version.id, file.scope, actor)
    emu.emit(f"{file.scope.kind} Files", "update", file.id, file.scope, actor)
    return version


def update_file(
    emu: Emulator,
    file: File,
    actor: Actor,
    name: str | None = None,
    parent_id: int | None = None,
    description: str | None = None,
    private: bool | None = None,
    checked_out_until: str | None = None,
    content: Content | None = None,
) -> File:
    check_editable(file, actor)
    new_name = check_name(name) if name is not None else file.name
    parent = emu.world.folders[file.parent_id]
    if parent_id is not None and parent_id != file.parent_id:
        parent = live_folder(emu, file.scope, parent_id)
    clash = _sibling_file(emu, parent, new_name, file.id)
    if clash is not None:
        raise _clash(clash)
    if content is not None:
        add_version(emu, file, content, actor)
    now = emu.world.now()
    if parent.id != file.parent_id:
        old = emu.world.folders[file.parent_id]
        old.file_ids.remove(file.id)
        old.updated_at = now
        parent.file_ids.append(file.id)
        file.parent_id = parent.id
    parent.updated_at = now
    file.name = new_name
    if description is not None:
        file.description = description
    if private is not None:
        file.private = private
    if checked_out_until is not None:
        file.checked_out_until = checked_out_until or None
        file.checked_out_by = actor.user_id if checked_out_until else None
    file.updated_at = now
    if content is None:
        emu.emit(f"{file.scope.kind} Files", "update", file.id, file.scope, actor)
    return file


def delete_file(emu: Emulator, file: File, actor: Actor) -> None:
    if file.is_deleted:
        raise not_found()
    check_editable(file, actor)
    now = emu.world.now()
    file.is_deleted = True
    file.updated_at = now
    emu.world.folders[file.parent_id].updated_at = now
    emu.emit(f"{file.scope.kind} Files", "delete", file.id, file.scope, actor)
