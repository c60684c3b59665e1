"""Photos in the regular sync: albums ⇄ folders under Photos and photos ⇄ files, both ways,
renames and deletes included."""

from __future__ import annotations

import base64

import httpx

from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from tests.e2e.stack import COMPANY, Stack, poll
from tests.scenarios.harness import Synced, baseline


def procore_photos(s: Synced) -> dict[str, int]:
    """Procore's photos as `album/filename` → image id (albums as `album`)."""
    found: dict[str, int] = {}
    with ProcoreClient(s.stack.settings) as procore:
        scope = Scope.project(COMPANY, s.procore_project)
        for album in procore.list_albums(scope):
            found[album.name or ""] = album.id
            for image in procore.list_photos(scope, album_id=album.id):
                found[f"{album.name}/{image.filename}"] = image.id
    return found


def sharepoint_photos(s: Synced) -> set[str]:
    return {i["rel"] for i in s.stack.graph.tree(f"/{s.project.folder_path}/Photos")}


def test_photos_and_albums_change_on_both_sides(stack: Stack) -> None:
    s = baseline(
        stack,
        "photos",
        {"Plans": {"A.pdf": "a"}},
        photos={"Site Progress": {"IMG_1.jpg": 4000, "IMG_2.jpg": 3000}, "Safety": {"S.jpg": 2000}},
    )
    photos = f"/{s.project.folder_path}/Photos"
    assert sharepoint_photos(s) == {
        "Site Progress",
        "Site Progress/IMG_1.jpg",
        "Site Progress/IMG_2.jpg",
        "Safety",
        "Safety/S.jpg",
    }
    before = procore_photos(s)
    # Procore: a new album with a photo, a photo renamed, an album renamed.
    album = stack.procore.call(
        "POST", "/act/image_categories", {"project_id": s.procore_project, "name": "Week 2"}
    )
    stack.procore.call(
        "POST",
        "/act/images",
        {
            "project_id": s.procore_project,
            "image_category_id": album["id"],
            "filename": "crane.jpg",
            "content_b64": base64.b64encode(b"crane photo").decode(),
        },
    )
    stack.procore.call(
        "PATCH", f"/act/images/{before['Site Progress/IMG_2.jpg']}", {"filename": "IMG_2 east.jpg"}
    )
    stack.procore.call(
        "PATCH", f"/act/image_categories/{before['Safety']}", {"name": "Safety Walk"}
    )
    # SharePoint: a new folder with a photo, a photo deleted.
    stack.graph.act(action="create", path=f"{photos}/Handover", folder=True)
    stack.graph.act(action="create", path=f"{photos}/Handover/keys.jpg", content="keys photo")
    stack.graph.act(action="delete", path=f"{photos}/Site Progress/IMG_1.jpg")

    expected_sp = {
        "Site Progress",
        "Site Progress/IMG_2 east.jpg",
        "Safety Walk",
        "Safety Walk/S.jpg",
        "Week 2",
        "Week 2/crane.jpg",
        "Handover",
        "Handover/keys.jpg",
    }
    s.settle(
        "the photo changes on both sides",
        lambda: sharepoint_photos(s) == expected_sp and set(procore_photos(s)) == expected_sp,
    )
    assert stack.graph.content(f"{photos}/Week 2/crane.jpg") == b"crane photo"
    after = procore_photos(s)
    response = stack.procore.http.get(f"/images/{after['Handover/keys.jpg']}/content")
    assert response.content == b"keys photo"
    # Identity by id: the renamed photo and album are the same Procore objects.
    assert after["Site Progress/IMG_2 east.jpg"] == before["Site Progress/IMG_2.jpg"]
    assert after["Safety Walk"] == before["Safety"]
    etags = {i["rel"]: i["eTag"] for i in stack.graph.tree(photos)}
    s.run_pass()
    assert {i["rel"]: i["eTag"] for i in stack.graph.tree(photos)} == etags
    assert procore_photos(s) == after


def test_photo_deletes_over_the_limit_are_held_then_restored_or_approved(stack: Stack) -> None:
    s = baseline(
        stack,
        "photo-deletes",
        {},
        photos={"Site": {"1.jpg": 1000, "2.jpg": 1100, "3.jpg": 1200, "4.jpg": 1300}},
        delete_limit=2,
    )
    photos = f"/{s.project.folder_path}/Photos"
    api = httpx.Client(
        base_url=stack.app_url,
        headers={"x-functions-key": stack.env["ADMIN_FUNCTION_KEY"]},
        timeout=30,
    )
    for name in ("1.jpg", "2.jpg", "3.jpg"):
        stack.graph.act(action="delete", path=f"{photos}/Site/{name}")

    def held() -> dict[str, object] | None:
        shown = api.get(f"/api/projects/{s.key}").json()
        return shown if shown["held_deletes"]["count"] == 3 else None

    poll("three photo deletes held back", held, 30)
    assert set(procore_photos(s)) == {
        "Site",
        "Site/1.jpg",
        "Site/2.jpg",
        "Site/3.jpg",
        "Site/4.jpg",
    }
    stack.wait_for_email(f"Deletes held back for project {s.project.project_name}")

    assert api.post(f"/api/projects/{s.key}/deletes/restore").status_code == 202
    s.settle(
        "the held photos back in SharePoint",
        lambda: (
            sharepoint_photos(s) == {"Site", "Site/1.jpg", "Site/2.jpg", "Site/3.jpg", "Site/4.jpg"}
        ),
    )
    assert api.get(f"/api/projects/{s.key}").json()["held_deletes"]["count"] == 0
    assert set(procore_photos(s)) == {
        "Site",
        "Site/1.jpg",
        "Site/2.jpg",
        "Site/3.jpg",
        "Site/4.jpg",
    }

    for name in ("1.jpg", "2.jpg", "3.jpg"):
        stack.graph.act(action="delete", path=f"{photos}/Site/{name}")
    poll("the deletes held again", held, 30)
    assert api.post(f"/api/projects/{s.key}/deletes/approve").status_code == 202
    s.settle(
        "the approved deletes in Procore", lambda: set(procore_photos(s)) == {"Site", "Site/4.jpg"}
    )
    assert sharepoint_photos(s) == {"Site", "Site/4.jpg"}
