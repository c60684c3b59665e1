"""Photos (API-NOTES A7): albums are image categories; images with their documented fields.
Shared by the REST API (as the app) and the control API (as a user)."""

from __future__ import annotations

from typing import Any

from emulators.procore.api_errors import ApiError, field_error, not_found
from emulators.procore.content import Content
from emulators.procore.documents_json import blob_url
from emulators.procore.emulator import Emulator
from emulators.procore.model import USERS, Actor, Album, Image, Scope
from emulators.procore.timefmt import iso


def album_json(emu: Emulator, album: Album) -> dict[str, Any]:
    images = [i for i in emu.world.images.values() if i.album_id == album.id and not i.deleted]
    cover = images[0] if images else None
    return {
        "id": album.id,
        "name": album.name,
        "count": len(images),
        "cover_photo": image_json(emu, cover) if cover else None,
        "private": album.private,
        "position": album.position,
        "created_at": iso(album.created_at),
        "updated_at": iso(album.updated_at),
    }


def image_json(emu: Emulator, image: Image) -> dict[str, Any]:
    album = emu.world.albums.get(image.album_id) if image.album_id else None
    blob = emu.world.blobs[image.blob_id]
    url = blob_url(emu.options.base_url, image.blob_id)
    return {
        "id": image.id,
        "url": url,
        "size": blob.content.size,
        "filename": image.filename,
        "description": image.description,
        "thumbnail_url": url,
        "taken_at": image.taken_at,
        "created_at": iso(image.created_at),
        "updated_at": iso(image.updated_at),
        "image_category_id": image.album_id,
        "image_category_name": album.name if album else None,
        "location": None,
        "private": image.private,
        "starred": image.starred,
        "width": image.width,
        "height": image.height,
        "daily_log_header_id": None,
        "gps_lat": None,
        "gps_long": None,
        "uploader": USERS.get(image.uploader_id, {"id": image.uploader_id}),
        "trades": [],
        "comments_count": 0,
        "permanently_deleted": False,
    }


def _scope(emu: Emulator, project_id: int) -> Scope:
    return Scope(emu.world.projects[project_id].company_id, project_id)


def find_album(emu: Emulator, project_id: int, album_id: int | None) -> Album:
    album = emu.world.albums.get(album_id or 0)
    if album is None or album.project_id != project_id:
        raise not_found()
    return album


def find_image(emu: Emulator, project_id: int, image_id: int) -> Image:
    image = emu.world.images.get(image_id)
    if image is None or image.project_id != project_id or image.deleted:
        raise not_found()
    return image


def _check_album_name(emu: Emulator, project_id: int, name: str | None, skip: int | None) -> str:
    if name is None or not name.strip():
        raise field_error(422, "name", "can't be blank")
    for other in emu.world.albums.values():
        if (
            other.project_id == project_id
            and other.id != skip
            and other.name.casefold() == name.casefold()
        ):
            raise ApiError(409, {"errors": {"name": ["has already been taken"]}})
    return name


def create_album(
    emu: Emulator,
    project_id: int,
    name: str | None,
    actor: Actor,
    private: bool = False,
    emit: bool = True,
) -> Album:
    name = _check_album_name(emu, project_id, name, None)
    now = emu.world.now()
    position = 1 + sum(1 for a in emu.world.albums.values() if a.project_id == project_id)
    album = Album(emu.world.new_id(), project_id, name, private, position, now, now)
    emu.world.albums[album.id] = album
    if emit:
        emu.emit("Image Categories", "create", album.id, _scope(emu, project_id), actor)
    return album


def update_album(
    emu: Emulator,
    album: Album,
    actor: Actor,
    name: str | None = None,
    private: bool | None = None,
    position: int | None = None,
) -> Album:
    if name is not None:
        album.name = _check_album_name(emu, album.project_id, name, album.id)
    if private is not None:
        album.private = private
    if position is not None:
        album.position = position
    album.updated_at = emu.world.now()
    emu.emit("Image Categories", "update", album.id, _scope(emu, album.project_id), actor)
    return album


def delete_album(emu: Emulator, album: Album, actor: Actor) -> None:
    now = emu.world.now()
    for image in emu.world.images.values():
        if image.album_id == album.id and not image.deleted:
            image.deleted = True
            image.updated_at = now
    del emu.world.albums[album.id]
    emu.emit("Image Categories", "delete", album.id, _scope(emu, album.project_id), actor)


def create_image(
    emu: Emulator,
    project_id: int,
    album_id: int | None,
    filename: str | None,
    content: Content,
    actor: Actor,
    description: str = "",
    private: bool = False,
    taken_at: str | None = None,
    emit: bool = True,
) -> Image:
    if album_id is not None:
        find_album(emu, project_id, album_id)
    if not filename or not filename.strip():
        raise field_error(422, "filename", "can't be blank")
    now = emu.world.now()
    blob = emu.world.add_blob(content, filename)
    image = Image(
        emu.world.new_id(),
        project_id,
        album_id,
        blob.id,
        filename,
        description,
        private,
        False,
        taken_at,
        now,
        now,
        actor.user_id,
    )
    emu.world.images[image.id] = image
    if album_id is not None:
        emu.world.albums[album_id].updated_at = now
    if emit:
        emu.emit("Images", "create", image.id, _scope(emu, project_id), actor)
    return image


def update_image(
    emu: Emulator,
    image: Image,
    actor: Actor,
    description: str | None = None,
    album_id: int | None = None,
    filename: str | None = None,
    private: bool | None = None,
    starred: bool | None = None,
) -> Image:
    if album_id is not None:
        find_album(emu, image.project_id, album_id)
        image.album_id = album_id
    if filename is not None:
        if not filename.strip():
            raise field_error(422, "filename", "can't be blank")
        image.filename = filename
    if description is not None:
        image.description = description
    if private is not None:
        image.private = private
    if starred is not None:
        image.starred = starred
    image.updated_at = emu.world.now()
    emu.emit("Images", "update", image.id, _scope(emu, image.project_id), actor)
    return image


def delete_image(emu: Emulator, image: Image, actor: Actor, permanent: bool = False) -> None:
    if permanent:
        del emu.world.images[image.id]
    else:
        image.deleted = True
        image.updated_at = emu.world.now()
    emu.emit("Images", "delete", image.id, _scope(emu, image.project_id), actor)
