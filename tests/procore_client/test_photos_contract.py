"""Contract: albums (image categories) and photos (images) against the Procore emulator."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from shared.errors import Conflict, NotFound
from shared.procore import ProcoreClient, Scope, UploadSource
from tests.procore_client.conftest import Emulator, no_emulator_errors

pytestmark = pytest.mark.integration


def test_albums_and_their_photos_are_listed_and_downloadable(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    albums = {a.name: a for a in client.list_albums(project)}
    assert set(albums) == {"Site Progress", "Safety Walk"}
    photos = list(client.list_photos(project, album_id=albums["Site Progress"].id))
    assert len(photos) == 3
    photo = photos[0]
    assert photo.url and photo.image_category_id == albums["Site Progress"].id
    content = b"".join(client.download(project, photo.url))
    response = emulator.http.get(f"/_emulator/images/{photo.id}/content")
    assert content == response.content and len(content) == photo.size
    assert client.get_album(project, albums["Safety Walk"].id).name == "Safety Walk"


def test_album_create_rename_delete(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    album = client.create_album(project, "Punch Walk")
    with pytest.raises(Conflict):
        client.create_album(project, "Punch Walk")
    assert client.rename_album(project, album.id, "Punch Walk L3").name == "Punch Walk L3"
    client.delete_album(project, album.id)
    assert "Punch Walk L3" not in {a.name for a in client.list_albums(project)}
    with pytest.raises(NotFound):
        client.get_album(project, album.id)
    no_emulator_errors(emulator)


def test_photo_upload_update_move_delete_and_changes_filter(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    since = max(p.updated_at for p in client.list_photos(project) if p.updated_at)
    since += timedelta(milliseconds=1)
    assert list(client.list_photos(project, updated_since=since)) == []
    album = client.create_album(project, "Level 2")
    other = client.create_album(project, "Level 3")
    data = os.urandom(64_000)
    photo = client.upload_photo(
        project, album.id, "IMG_1000.jpg", UploadSource.from_bytes(data), description="slab"
    )
    assert photo.filename == "IMG_1000.jpg" and photo.image_category_id == album.id
    assert emulator.http.get(f"/_emulator/images/{photo.id}/content").content == data
    assert photo.url is not None
    assert b"".join(client.download(project, photo.url)) == data
    changed = client.update_photo(
        project, photo.id, filename="IMG_1000 slab.jpg", album_id=other.id
    )
    assert changed.filename == "IMG_1000 slab.jpg" and changed.image_category_id == other.id
    assert [p.id for p in client.list_photos(project, updated_since=since)] == [photo.id]
    assert [p.id for p in client.list_photos(project, album_id=other.id)] == [photo.id]
    client.delete_photo(project, photo.id)
    with pytest.raises(NotFound):
        client.get_photo(project, photo.id)
    no_emulator_errors(emulator)


def test_album_counts_tell_an_image_delete(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    """The photos change pass finds Procore image deletes by the albums' `count`."""
    albums = {a.name: a for a in client.list_albums(project)}
    assert albums["Site Progress"].count == 3 and albums["Safety Walk"].count == 1
    photo = next(iter(client.list_photos(project, album_id=albums["Site Progress"].id)))
    client.delete_photo(project, photo.id)
    counts = {a.name: a.count for a in client.list_albums(project)}
    assert counts == {"Site Progress": 2, "Safety Walk": 1}
    no_emulator_errors(emulator)
