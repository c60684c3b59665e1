"""Contract: sites, drives, folders, children, walk, folder trees, rename/move/delete with
If-Match, versions, check-out and locks, against the Graph emulator."""

from __future__ import annotations

import io

import pytest

from shared.errors import Conflict, InvalidRequest, Locked, NotFound, PreconditionFailed
from shared.graph import GraphClient
from tests.graph_client.conftest import Emulator

HOST = "contoso.sharepoint.com"
SITE_ID = (
    "contoso.sharepoint.com,11111111-1111-1111-1111-111111111111,"
    "22222222-2222-2222-2222-222222222222"
)
DRIVE = "b!documents-construction"


def tree_paths(emulator: Emulator) -> dict[str, dict[str, object]]:
    return {entry["path"]: entry for entry in emulator.get(f"/drives/{DRIVE}/tree")}


def test_resolve_site_library_and_folder(emulator: Emulator, graph: GraphClient) -> None:
    emulator.seed(DRIVE, {"Projects": {"Tower A": {"Documents": {}}}})
    site = graph.get_site(HOST, "/sites/Construction")
    assert site.id == SITE_ID
    names = sorted(d.name or "" for d in graph.list_drives(site.id))
    assert names == ["Archive", "Documents"]
    drive = graph.get_drive_by_name(site.id, "documents")
    assert drive.id == DRIVE
    folder = graph.get_folder_by_path(DRIVE, "/Projects/Tower A/Documents")
    assert folder.name == "Documents"
    assert folder.is_folder
    with pytest.raises(NotFound):
        graph.get_drive_by_name(site.id, "Nope")
    with pytest.raises(NotFound):
        graph.get_folder_by_path(DRIVE, "Projects/Missing")


def test_item_by_id_and_path_and_a_file_is_not_a_folder(
    emulator: Emulator, graph: GraphClient
) -> None:
    ids = emulator.seed(DRIVE, {"A": {"plan #1.pdf": "pdf bytes"}})
    by_path = graph.get_item_by_path(DRIVE, "A/plan #1.pdf")
    assert by_path.id == ids["/A/plan #1.pdf"]
    by_id = graph.get_item(DRIVE, by_path.id)
    assert by_id.name == "plan #1.pdf"
    assert by_id.size == len(b"pdf bytes")
    assert by_id.parent_reference is not None
    assert by_id.parent_reference.id == ids["/A"]
    assert by_id.parent_reference.drive_id == DRIVE
    assert by_id.c_tag and by_id.e_tag and by_id.e_tag != by_id.c_tag
    with pytest.raises(InvalidRequest):
        graph.get_folder_by_path(DRIVE, "A/plan #1.pdf")


def test_children_are_paged_and_the_caller_can_stop_early(
    emulator: Emulator, graph: GraphClient
) -> None:
    files = {f"f{n:02}.txt": f"file {n}" for n in range(7)}
    ids = emulator.seed(DRIVE, {"Many": files})
    emulator.post("/counters/reset")
    names = [c.name for c in graph.list_children(DRIVE, ids["/Many"], page_size=3)]
    assert names == sorted(files)
    counters = emulator.get("/counters")
    assert counters["requests"]["total"] == 3  # pages of 3 + 3 + 1
    first_two = []
    for child in graph.list_children(DRIVE, ids["/Many"], page_size=3):
        first_two.append(child.name)
        if len(first_two) == 2:
            break
    assert first_two == ["f00.txt", "f01.txt"]


def test_walk_yields_every_item_with_its_path(emulator: Emulator, graph: GraphClient) -> None:
    ids = emulator.seed(
        DRIVE,
        {"Root": {"a.txt": "a", "B": {"b.txt": "b", "C": {"c.txt": "c"}}, "D": {}}},
    )
    entries = list(graph.walk(DRIVE, ids["/Root"], page_size=2))
    paths = [e.path for e in entries]
    assert sorted(paths) == ["B", "B/C", "B/C/c.txt", "B/b.txt", "D", "a.txt"]
    assert paths.index("B") < paths.index("B/C") < paths.index("B/C/c.txt")
    by_path = {e.path: e.item for e in entries}
    assert by_path["B/C/c.txt"].id == ids["/Root/B/C/c.txt"]
    assert by_path["D"].is_folder


def test_create_folder_conflict_behaviours(emulator: Emulator, graph: GraphClient) -> None:
    root = graph.get_item_by_path(DRIVE, "")
    made = graph.create_folder(DRIVE, root.id, "Submittals")
    assert made.is_folder
    with pytest.raises(Conflict) as caught:
        graph.create_folder(DRIVE, root.id, "SUBMITTALS")  # case-insensitive uniqueness
    assert caught.value.code == "nameAlreadyExists"
    renamed = graph.create_folder(DRIVE, root.id, "Submittals", conflict_behavior="rename")
    assert renamed.name == "Submittals 1"
    assert renamed.id != made.id
    with pytest.raises(InvalidRequest):
        graph.create_folder(DRIVE, root.id, "bad:name")


def test_folder_tree_in_batches_is_idempotent(emulator: Emulator, graph: GraphClient) -> None:
    existing = emulator.seed(DRIVE, {"Project": {"Documents": {"Specs": {}}}})
    base = existing["/Project"]
    wanted = [f"Documents/Area {n}/Level {m}" for n in range(6) for m in range(3)]
    wanted += ["Documents/Specs/Div 01", "Photos/Album 1", "RFIs"]
    emulator.post("/counters/reset")
    made = graph.create_folder_tree(DRIVE, base, wanted)
    counters = emulator.get("/counters")
    expected = set(wanted) | {"Documents", "Photos", "Documents/Specs"}
    expected |= {f"Documents/Area {n}" for n in range(6)}
    assert set(made) == expected
    assert made["Documents/Specs"].id == existing["/Project/Documents/Specs"]
    assert made["Documents"].id == existing["/Project/Documents"]
    paths = tree_paths(emulator)
    for path in expected:
        assert paths[f"/Project/{path}"]["folder"], path
        assert paths[f"/Project/{path}"]["id"] == made[path].id
    assert counters["requests"]["total"] <= 6  # 31 folders in a handful of $batch calls
    again = graph.create_folder_tree(DRIVE, base, wanted)
    assert {p: i.id for p, i in again.items()} == {p: i.id for p, i in made.items()}


def test_folder_tree_refuses_a_file_in_the_way(emulator: Emulator, graph: GraphClient) -> None:
    ids = emulator.seed(DRIVE, {"P": {"Documents": "I am a file"}})
    with pytest.raises(Conflict):
        graph.create_folder_tree(DRIVE, ids["/P"], ["Documents/Sub"])


def test_rename_move_delete_with_if_match(emulator: Emulator, graph: GraphClient) -> None:
    ids = emulator.seed(DRIVE, {"Src": {"a.txt": "alpha"}, "Dst": {}})
    item = graph.get_item(DRIVE, ids["/Src/a.txt"])
    emulator.act(DRIVE, action="edit", id=item.id, content="alpha 2")
    with pytest.raises(PreconditionFailed):
        graph.rename_item(DRIVE, item.id, "b.txt", if_match=item.e_tag)
    fresh = graph.get_item(DRIVE, item.id)
    renamed = graph.rename_item(DRIVE, item.id, "b.txt", if_match=fresh.e_tag)
    assert renamed.name == "b.txt"
    assert renamed.e_tag != fresh.e_tag
    assert renamed.c_tag == fresh.c_tag  # metadata change: content tag unchanged
    moved = graph.move_item(DRIVE, item.id, ids["/Dst"], if_match=renamed.e_tag)
    assert moved.parent_reference is not None
    assert moved.parent_reference.id == ids["/Dst"]
    assert "/Dst/b.txt" in tree_paths(emulator)
    with pytest.raises(PreconditionFailed):
        graph.delete_item(DRIVE, item.id, if_match=renamed.e_tag)
    assert "/Dst/b.txt" in tree_paths(emulator)
    graph.delete_item(DRIVE, item.id, if_match=moved.e_tag)
    with pytest.raises(NotFound):
        graph.get_item(DRIVE, item.id)
    recycled = emulator.get(f"/drives/{DRIVE}/recycle-bin")
    assert [r["name"] for r in recycled] == ["b.txt"]


def test_versions_keep_overwritten_content(emulator: Emulator, graph: GraphClient) -> None:
    root = graph.get_item_by_path(DRIVE, "")
    first = graph.upload_file(
        DRIVE, io.BytesIO(b"version one"), 11, parent_id=root.id, name="v.txt"
    )
    second = graph.upload_file(
        DRIVE, io.BytesIO(b"version two!"), 12, item_id=first.item.id, if_match=first.item.e_tag
    )
    assert second.item.id == first.item.id
    assert second.item.c_tag != first.item.c_tag
    versions = graph.list_versions(DRIVE, first.item.id)
    assert len(versions) == 2
    assert versions[0].size == 12  # newest first
    old = io.BytesIO()
    assert graph.download_version(DRIVE, first.item.id, versions[1].id, old) == 11
    assert old.getvalue() == b"version one"
    with pytest.raises(PreconditionFailed):
        graph.upload_file(
            DRIVE, io.BytesIO(b"stale"), 5, item_id=first.item.id, if_match=first.item.e_tag
        )
    assert emulator.content(DRIVE, "/v.txt") == b"version two!"


def test_checkout_state_and_checkin(emulator: Emulator, graph: GraphClient) -> None:
    ids = emulator.seed(DRIVE, {"doc.txt": "text"})
    item_id = ids["/doc.txt"]
    publication = graph.get_publication(DRIVE, item_id)
    assert publication is None or publication.level == "published"
    graph.checkout(DRIVE, item_id)
    checked_out = graph.get_publication(DRIVE, item_id)
    assert checked_out is not None
    assert checked_out.level == "checkout"
    graph.checkin(DRIVE, item_id, comment="done")
    published = graph.get_publication(DRIVE, item_id)
    assert published is not None
    assert published.level == "published"


def test_files_in_use_answer_locked(emulator: Emulator, graph: GraphClient) -> None:
    ids = emulator.seed(DRIVE, {"open.docx.txt": "in use", "theirs.txt": "checked out"})
    emulator.act(DRIVE, action="lock", path="/open.docx.txt")
    with pytest.raises(Locked) as caught:
        graph.upload_file(DRIVE, io.BytesIO(b"new"), 3, item_id=ids["/open.docx.txt"])
    assert caught.value.status == 423
    with pytest.raises(Locked):
        graph.rename_item(DRIVE, ids["/open.docx.txt"], "renamed.txt")
    emulator.act(DRIVE, action="checkout", path="/theirs.txt", user="Alice Example")
    publication = graph.get_publication(DRIVE, ids["/theirs.txt"])
    assert publication is not None
    assert publication.level == "checkout"
    with pytest.raises(Locked):
        graph.delete_item(DRIVE, ids["/theirs.txt"])
    emulator.act(DRIVE, action="unlock", path="/open.docx.txt")
    result = graph.upload_file(DRIVE, io.BytesIO(b"new"), 3, item_id=ids["/open.docx.txt"])
    assert result.item.size == 3


def test_timestamps_can_be_set_on_an_existing_item(emulator: Emulator, graph: GraphClient) -> None:
    from datetime import UTC, datetime

    ids = emulator.seed(DRIVE, {"t.txt": "time"})
    before = graph.get_item(DRIVE, ids["/t.txt"])
    modified = datetime(2022, 2, 3, 4, 5, 6, tzinfo=UTC)
    after = graph.update_item(DRIVE, before.id, modified=modified, if_match=before.e_tag)
    assert after.file_system_info is not None
    assert after.file_system_info.last_modified_date_time == modified
    assert after.c_tag == before.c_tag
    assert graph.get_item(DRIVE, before.id).file_system_info == after.file_system_info
