"""Photos (A7) and the read-only tools (A8)."""

from __future__ import annotations

from tests.procore_emulator.conftest import PROJECT_ID, Procore

Q = {"project_id": PROJECT_ID}


def test_albums_and_images_round_trip(procore: Procore) -> None:
    albums = procore.get("/v1.0/image_categories", params=Q).json()
    assert [(a["name"], a["count"]) for a in albums] == [("Site Progress", 3), ("Safety Walk", 1)]
    made = procore.call(
        "POST", "/v1.0/image_categories", params=Q, json={"image_category": {"name": "Roofing"}}
    )
    assert made.status_code == 201
    album_id = made.json()["id"]
    assert (
        procore.call(
            "POST", "/v1.0/image_categories", params=Q, json={"image_category": {"name": "roofing"}}
        ).status_code
        == 409
    )
    image = procore.call(
        "POST",
        "/v1.0/images",
        params=Q,
        data={"image[image_category_id]": str(album_id), "image[description]": "ridge"},
        files={"image[data]": ("roof.jpg", b"\xff\xd8jpegbytes")},
    )
    assert image.status_code == 201, image.text
    body = image.json()
    assert (
        body["filename"] == "roof.jpg"
        and body["size"] == 11
        and body["image_category_name"] == "Roofing"
    )
    redirect = procore.http.get(body["url"], headers=procore.headers())
    assert procore.http.get(redirect.headers["Location"]).content == b"\xff\xd8jpegbytes"
    listed = procore.get("/v1.0/images", params={**Q, "image_category_id": album_id}).json()
    assert [i["id"] for i in listed] == [body["id"]]
    moved = procore.call(
        "PATCH",
        f"/v1.0/images/{body['id']}",
        params=Q,
        json={"image": {"image_category_id": albums[0]["id"]}},
    )
    assert moved.json()["image_category_id"] == albums[0]["id"]
    assert procore.call("DELETE", f"/v1.0/images/{body['id']}", params=Q).status_code == 204
    assert procore.get(f"/v1.0/images/{body['id']}", params=Q).status_code == 404
    ids = procore.get("/v1.0/image_categories/ids_with_images", params=Q).json()
    assert album_id not in ids and albums[0]["id"] in ids


def test_image_fields_documented(procore: Procore) -> None:
    image = procore.get("/v1.0/images", params=Q).json()[0]
    for key in (
        "id",
        "url",
        "size",
        "filename",
        "description",
        "thumbnail_url",
        "taken_at",
        "created_at",
        "updated_at",
        "image_category_id",
        "image_category_name",
        "private",
        "starred",
        "width",
        "height",
    ):
        assert key in image


def test_image_changes_listing_and_album_counts(procore: Procore) -> None:
    """What a photos change pass reads: `filters[updated_at]` shows renamed and moved images
    (never deleted ones), and an album's `count` drops when one of its images is deleted."""
    albums = {a["name"]: a for a in procore.get("/v1.0/image_categories", params=Q).json()}
    images = procore.get("/v1.0/images", params={**Q, "sort": "updated_at"}).json()
    since = images[-1]["updated_at"]
    later = {**Q, "filters[updated_at]": f"{since}...2100-01-01T00:00:00Z"}
    quiet = procore.get("/v1.0/images", params=later).json()
    assert images[-1]["id"] in [i["id"] for i in quiet]  # the range is inclusive
    assert {i["updated_at"] for i in quiet} == {since}
    progress = procore.get(
        "/v1.0/images", params={**Q, "image_category_id": albums["Site Progress"]["id"]}
    ).json()
    renamed, deleted = progress[0], progress[1]
    moved = procore.control(
        "PATCH",
        f"/act/images/{renamed['id']}",
        json={"filename": "slab.jpg", "image_category_id": albums["Safety Walk"]["id"]},
    )
    assert moved.status_code == 200, moved.text
    assert procore.control("DELETE", f"/act/images/{deleted['id']}").status_code == 204
    changed = procore.get("/v1.0/images", params=later).json()
    assert renamed["id"] in [i["id"] for i in changed]
    assert deleted["id"] not in [i["id"] for i in changed]
    row = next(i for i in changed if i["id"] == renamed["id"])
    assert row["filename"] == "slab.jpg"
    assert row["image_category_id"] == albums["Safety Walk"]["id"]
    counts = {a["name"]: a["count"] for a in procore.get("/v1.0/image_categories", params=Q).json()}
    assert counts == {"Site Progress": 1, "Safety Walk": 2}
    bad = procore.get("/v1.0/images", params={**Q, "filters[updated_at]": "yesterday"})
    assert bad.status_code == 400 and "filters[updated_at]" in bad.text


def test_tool_lists_page_and_filter(procore: Procore) -> None:
    rfis = procore.get(f"/v1.0/projects/{PROJECT_ID}/rfis", params={"per_page": 2})
    assert rfis.headers["Total"] == "3" and len(rfis.json()) == 2
    rfi = rfis.json()[0]
    detail = procore.get(f"/v1.0/projects/{PROJECT_ID}/rfis/{rfi['id']}").json()
    assert detail["subject"] == rfi["subject"]
    attachment = detail["attachments"][0]
    blob = procore.http.get(
        procore.http.get(attachment["url"], headers=procore.headers()).headers["Location"]
    )
    assert len(blob.content) == attachment["size"]
    replies = procore.get(f"/v1.0/projects/{PROJECT_ID}/rfis/{rfi['id']}/replies").json()
    assert replies[0]["body"].startswith("Answer")
    touched = procore.control("POST", f"/act/tools/rfis/{rfi['id']}/touch").json()
    window = f"{touched['updated_at']}...{touched['updated_at']}"
    changed = procore.get(
        f"/v1.0/projects/{PROJECT_ID}/rfis", params={"filters[updated_at]": window}
    ).json()
    assert [i["id"] for i in changed] == [rfi["id"]]

    endpoints = {
        f"/v1.1/projects/{PROJECT_ID}/submittals": 2,
        f"/v1.0/projects/{PROJECT_ID}/drawing_revisions": 3,
        f"/v1.0/projects/{PROJECT_ID}/drawing_areas": 1,
        f"/v1.0/projects/{PROJECT_ID}/drawing_sets": 1,
        f"/v1.0/projects/{PROJECT_ID}/forms": 2,
        "/v1.0/observations/items": 2,
        f"/v1.0/projects/{PROJECT_ID}/checklist/lists": 2,
        f"/v1.0/projects/{PROJECT_ID}/incidents": 1,
        f"/v1.0/projects/{PROJECT_ID}/commitments": 2,
    }
    for path, count in endpoints.items():
        response = procore.get(path, params=Q)
        assert response.status_code == 200, path
        assert len(response.json()) == count, path
    revision = procore.get(f"/v1.0/projects/{PROJECT_ID}/drawing_revisions").json()[0]
    assert revision["pdf_url"].startswith(procore.base) and revision["pdf_size"] > 0
    area = procore.get(f"/v1.0/projects/{PROJECT_ID}/drawing_areas").json()[0]
    drawings = procore.get(f"/v1.1/drawing_areas/{area['id']}/drawings", params=Q).json()
    assert len(drawings) == 3
    assert procore.get(f"/v1.0/projects/{PROJECT_ID}/rfis/1").status_code == 404


def test_tool_items_edited_deleted_and_revised_as_a_user(procore: Procore) -> None:
    rfi = procore.get(f"/v1.0/projects/{PROJECT_ID}/rfis").json()[0]
    edited = procore.control(
        "PATCH", f"/act/tools/rfis/{rfi['id']}", json={"fields": {"subject": "New subject"}}
    ).json()
    assert edited["subject"] == "New subject" and edited["updated_at"] > rfi["updated_at"]
    assert procore.control("DELETE", f"/act/tools/rfis/{rfi['id']}").status_code == 204
    assert procore.get(f"/v1.0/projects/{PROJECT_ID}/rfis/{rfi['id']}").status_code == 404
    revision = procore.get(f"/v1.0/projects/{PROJECT_ID}/drawing_revisions").json()[0]
    new = procore.control(
        "POST", f"/act/tools/drawing_revisions/{revision['id']}/revise", json={"size": 4321}
    ).json()
    assert new["current"] is True and new["pdf_size"] == 4321
    assert new["revision_number"] == str(int(revision["revision_number"]) + 1)
    old = procore.get(f"/v1.0/projects/{PROJECT_ID}/drawing_revisions/{revision['id']}").json()
    assert old["current"] is False
