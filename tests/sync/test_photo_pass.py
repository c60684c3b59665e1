"""Photos in the regular sync, story by story: given a synced baseline of albums and photos,
when a user changes one side, then both sides hold the same albums and photos, the log says
what was done, and another pass changes nothing."""

from __future__ import annotations

import base64
import itertools

import pytest

from shared.errors import Throttled
from shared.graph.models import DriveItem
from shared.state.log import LogAction
from tests.sync.conftest import Sides
from tests.sync.photo_world import PhotoWorld, make_world

pytestmark = pytest.mark.integration

_ids = itertools.count(4300070001)
ALBUMS = {
    "Site Progress": {"IMG_0001.jpg": 4100, "IMG_0002.jpg": 3900},
    "Safety Walk": {"IMG_0100.jpg": 500},
}
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8


@pytest.fixture
def world(sides: Sides) -> PhotoWorld:
    built, _ = make_world(sides, next(_ids), ALBUMS)
    first = built.run()
    assert first.deferred == []
    return built


def test_new_albums_in_procore_become_folders_with_their_photos(world: PhotoWorld) -> None:
    world.assert_in_sync()
    assert set(world.sharepoint_tree()) == {
        "Site Progress",
        "Site Progress/IMG_0001.jpg",
        "Site Progress/IMG_0002.jpg",
        "Safety Walk",
        "Safety Walk/IMG_0100.jpg",
    }
    world.assert_settled()


def procore_reads(world: PhotoWorld) -> dict[str, int]:
    counts = world.sides.procore.counters()["by_endpoint"]
    return {k: v for k, v in counts.items() if k.startswith("GET /rest")}


def test_a_quiet_pass_costs_two_procore_requests_and_no_graph_request(world: PhotoWorld) -> None:
    world.sides.procore.call("DELETE", "/counters")
    graph_before = world.sides.graph.call("GET", "/counters")["requests"]["total"]
    result = world.run()
    assert result.entries == []
    assert procore_reads(world) == {
        "GET /rest/v1.0/image_categories": 1,
        "GET /rest/v1.0/images": 1,
    }
    graph_after = world.sides.graph.call("GET", "/counters")["requests"]["total"]
    assert graph_after - graph_before == 1  # the harness read the delta feed; the pass read none


def test_a_procore_delete_costs_one_listing_of_its_album(world: PhotoWorld) -> None:
    photos = world.procore_photos()
    world.procore_act("DELETE", f"images/{photos['Site Progress/IMG_0001.jpg']['id']}")
    world.sides.procore.call("DELETE", "/counters")
    result = world.run()
    assert ("deleted", "sharepoint", "IMG_0001.jpg") in result.actions()
    assert procore_reads(world) == {
        "GET /rest/v1.0/image_categories": 1,
        "GET /rest/v1.0/images": 2,
    }


def test_new_folder_in_photos_becomes_an_album_with_its_photo(world: PhotoWorld) -> None:
    world.sharepoint_act("create", "Handover", folder=True)
    world.sharepoint_act("create", "Handover/keys.jpg", content_b64=base64.b64encode(JPEG).decode())
    result = world.run()
    assert ("copied", "procore", "Handover") in result.actions()
    assert ("copied", "procore", "keys.jpg") in result.actions()
    assert "Handover" in world.procore_albums()
    world.assert_in_sync()
    world.assert_settled()


def test_photo_added_on_each_side(world: PhotoWorld) -> None:
    album = world.procore_albums()["Site Progress"]
    world.add_procore_photo(album, "IMG_0003.jpg", b"procore photo" * 50)
    world.sharepoint_act("create", "Safety Walk/phone.jpg", content="sharepoint photo" * 40)
    result = world.run()
    assert ("copied", "sharepoint", "IMG_0003.jpg") in result.actions()
    assert ("copied", "procore", "phone.jpg") in result.actions()
    assert world.sharepoint_bytes("Site Progress/IMG_0003.jpg") == b"procore photo" * 50
    world.assert_in_sync()
    world.assert_settled()


def test_photo_renamed_on_each_side(world: PhotoWorld) -> None:
    photos = world.procore_photos()
    world.procore_act(
        "PATCH", f"images/{photos['Site Progress/IMG_0001.jpg']['id']}", {"filename": "slab.jpg"}
    )
    world.sharepoint_act("rename", "Safety Walk/IMG_0100.jpg", name="rail.jpg")
    result = world.run()
    assert ("renamed", "sharepoint", "slab.jpg") in result.actions()
    assert ("renamed", "procore", "rail.jpg") in result.actions()
    assert "Site Progress/slab.jpg" in world.sharepoint_tree()
    assert "Safety Walk/rail.jpg" in world.procore_photos()
    world.assert_in_sync()
    world.assert_settled()


def test_photo_moved_to_another_album_on_each_side(world: PhotoWorld) -> None:
    albums = world.procore_albums()
    photos = world.procore_photos()
    world.procore_act(
        "PATCH",
        f"images/{photos['Site Progress/IMG_0001.jpg']['id']}",
        {"image_category_id": albums["Safety Walk"]},
    )
    world.sharepoint_act(
        "move", "Safety Walk/IMG_0100.jpg", parent_path=f"{world.folder}/Photos/Site Progress"
    )
    result = world.run()
    assert ("moved", "sharepoint", "IMG_0001.jpg") in result.actions()
    assert ("moved", "procore", "IMG_0100.jpg") in result.actions()
    world.assert_in_sync()
    assert "Safety Walk/IMG_0001.jpg" in world.sharepoint_tree()
    world.assert_settled()


def test_album_renamed_on_each_side(world: PhotoWorld) -> None:
    albums = world.procore_albums()
    world.procore_act(
        "PATCH", f"image_categories/{albums['Site Progress']}", {"name": "Progress L1"}
    )
    world.sharepoint_act("rename", "Safety Walk", name="Safety Walk March")
    result = world.run()
    assert ("renamed", "sharepoint", "Progress L1") in result.actions()
    assert ("renamed", "procore", "Safety Walk March") in result.actions()
    assert set(world.procore_albums()) == {"Progress L1", "Safety Walk March"}
    world.assert_in_sync()
    world.assert_settled()


def test_photo_deleted_on_each_side_goes_to_the_recycle_bin(world: PhotoWorld) -> None:
    photos = world.procore_photos()
    world.procore_act("DELETE", f"images/{photos['Site Progress/IMG_0001.jpg']['id']}")
    world.sharepoint_act("delete", "Safety Walk/IMG_0100.jpg")
    result = world.run()
    assert ("deleted", "sharepoint", "IMG_0001.jpg") in result.actions()
    assert ("deleted", "procore", "IMG_0100.jpg") in result.actions()
    bin_names = {
        i["name"]
        for i in world.sides.graph.call("GET", "/drives/b!documents-construction/recycle-bin")
    }
    assert "IMG_0001.jpg" in bin_names
    assert "Safety Walk/IMG_0100.jpg" not in world.procore_photos()
    world.assert_in_sync()
    world.assert_settled()


def test_album_deleted_in_procore_takes_its_folder_and_photos(world: PhotoWorld) -> None:
    albums = world.procore_albums()
    world.procore_act("DELETE", f"image_categories/{albums['Site Progress']}")
    result = world.run()
    assert ("deleted", "sharepoint", "Site Progress") in result.actions()
    assert set(world.sharepoint_tree()) == {"Safety Walk", "Safety Walk/IMG_0100.jpg"}
    assert {r.path for r in world.base()} == {"Safety Walk", "Safety Walk/IMG_0100.jpg"}
    world.assert_in_sync()
    world.assert_settled()


def test_album_folder_deleted_in_sharepoint_deletes_the_album_and_its_photos(
    world: PhotoWorld,
) -> None:
    world.sharepoint_act("delete", "Site Progress")
    result = world.run()
    assert ("deleted", "procore", "Site Progress") in result.actions()
    assert set(world.procore_albums()) == {"Safety Walk"}
    assert set(world.procore_photos()) == {"Safety Walk/IMG_0100.jpg"}
    world.assert_in_sync()
    world.assert_settled()


def test_photo_edited_in_sharepoint_replaces_the_procore_image(world: PhotoWorld) -> None:
    old = world.procore_photos()["Site Progress/IMG_0002.jpg"]
    edited = JPEG + b"cropped"
    world.sharepoint_act(
        "edit", "Site Progress/IMG_0002.jpg", content_b64=base64.b64encode(edited).decode()
    )
    result = world.run()
    assert ("updated", "procore", "IMG_0002.jpg") in result.actions()
    new = world.procore_photos()["Site Progress/IMG_0002.jpg"]
    assert new["id"] != old["id"]
    assert world.procore_bytes(new["id"]) == edited
    gone = world.sides.procore.http.get(f"/images/{old['id']}/content")
    assert all(p["id"] != old["id"] for p in world.procore_photos().values())
    assert gone.status_code in (200, 404)
    world.assert_in_sync()
    world.assert_settled()


def test_photo_edited_in_sharepoint_after_its_album_was_deleted_in_procore_is_restored(
    world: PhotoWorld,
) -> None:
    albums = world.procore_albums()
    world.procore_act("DELETE", f"image_categories/{albums['Site Progress']}")
    world.sharepoint_act("edit", "Site Progress/IMG_0002.jpg", content="edited" * 30)
    result = world.run()
    assert ("restored", "procore", "Site Progress") in result.actions()
    assert ("restored", "procore", "IMG_0002.jpg") in result.actions()
    assert ("deleted", "sharepoint", "IMG_0001.jpg") in result.actions()
    assert set(world.procore_photos()) == {"Site Progress/IMG_0002.jpg", "Safety Walk/IMG_0100.jpg"}
    world.assert_in_sync()
    world.assert_settled()


def test_files_outside_albums_are_skipped_with_a_reason_and_temp_files_ignored(
    world: PhotoWorld,
) -> None:
    world.sharepoint_act("create", "loose.jpg", content="no album")
    world.sharepoint_act("create", "Site Progress/Detail", folder=True)
    world.sharepoint_act("create", "Site Progress/Detail/deep.jpg", content="nested")
    world.sharepoint_act("create", "Site Progress/scan.tmp", content="office temp")
    album = world.sharepoint_tree()["Site Progress"]
    lock = DriveItem.model_validate(
        {
            "id": "01LOCKFILE",
            "name": "~$x.jpg",
            "size": 165,
            "file": {"hashes": {"quickXorHash": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}},
            "parentReference": {"id": album["id"]},
            "lastModifiedDateTime": "2020-01-01T00:00:00Z",
        }
    )
    result = world.run(extra=(lock,))
    skipped = {e.name: e.reason for e in result.entries if e.action is LogAction.SKIPPED}
    assert set(skipped) == {"loose.jpg", "Detail", "deep.jpg"}
    assert "belongs to no album" in (skipped["loose.jpg"] or "")
    assert "albums hold photos, not folders" in (skipped["Detail"] or "")
    assert [e for e in result.entries if e.action is not LogAction.SKIPPED] == []
    assert result.deferred == []
    assert set(world.procore_photos()) == {
        "Site Progress/IMG_0001.jpg",
        "Site Progress/IMG_0002.jpg",
        "Safety Walk/IMG_0100.jpg",
    }


def test_photo_changed_within_the_quiet_period_waits(world: PhotoWorld) -> None:
    world.sharepoint_act("create", "Safety Walk/new.jpg", content="still saving")
    world.sharepoint_act("edit", "Site Progress/IMG_0001.jpg", content="being edited")
    waiting = world.run(quiet_period_s=3600)
    assert sorted(waiting.deferred) == ["IMG_0001.jpg", "new.jpg"]
    assert waiting.entries == []
    assert "Safety Walk/new.jpg" not in world.procore_photos()
    taken = world.run()
    assert ("copied", "procore", "new.jpg") in taken.actions()
    assert ("updated", "procore", "IMG_0001.jpg") in taken.actions()
    world.assert_in_sync()
    world.assert_settled()


def test_album_deleted_in_sharepoint_while_procore_added_a_photo_is_restored(
    world: PhotoWorld,
) -> None:
    albums = world.procore_albums()
    world.sharepoint_act("delete", "Site Progress")
    world.add_procore_photo(albums["Site Progress"], "IMG_0009.jpg", b"late photo" * 30)
    result = world.run()
    assert ("restored", "sharepoint", "Site Progress") in result.actions()
    assert ("copied", "sharepoint", "IMG_0009.jpg") in result.actions()
    assert ("deleted", "procore", "IMG_0001.jpg") in result.actions()
    assert set(world.procore_photos()) == {"Site Progress/IMG_0009.jpg", "Safety Walk/IMG_0100.jpg"}
    world.assert_in_sync()
    world.assert_settled()


def test_photo_renamed_on_both_sides_the_newer_name_wins(world: PhotoWorld) -> None:
    photo = world.procore_photos()["Site Progress/IMG_0001.jpg"]
    world.procore_act("PATCH", f"images/{photo['id']}", {"filename": "procore name.jpg"})
    world.sharepoint_act("rename", "Site Progress/IMG_0001.jpg", name="sharepoint name.jpg")
    result = world.run()
    assert ("renamed", "procore", "sharepoint name.jpg") in result.actions()
    assert ("conflict", None, "sharepoint name.jpg") in result.actions()
    assert "Site Progress/sharepoint name.jpg" in world.procore_photos()
    world.assert_in_sync()
    world.assert_settled()


def test_a_locked_file_is_left_for_a_later_pass(world: PhotoWorld) -> None:
    photo = world.procore_photos()["Safety Walk/IMG_0100.jpg"]
    world.procore_act("PATCH", f"images/{photo['id']}", {"filename": "rail.jpg"})
    world.sharepoint_act("lock", "Safety Walk/IMG_0100.jpg")
    held = world.run()
    assert held.deferred == ["rail.jpg"]
    assert [(e.action, e.name) for e in held.entries] == [(LogAction.INFO, "rail.jpg")]
    assert "locked" in (held.entries[0].reason or "")
    assert "Safety Walk/IMG_0100.jpg" in world.sharepoint_tree()
    world.sharepoint_act("unlock", "Safety Walk/IMG_0100.jpg")
    taken = world.run()
    assert ("renamed", "sharepoint", "rail.jpg") in taken.actions()
    world.assert_in_sync()
    world.assert_settled()


def test_a_throttled_procore_stops_the_pass_and_loses_nothing(world: PhotoWorld) -> None:
    world.sharepoint_act("create", "Safety Walk/phone.jpg", content="phone" * 30)
    world.sides.procore.call(
        "POST",
        "/faults",
        {"kind": "429", "count": 1, "path_prefix": "/rest/v1.0/images", "retry_after_s": 1},
    )
    with pytest.raises(Throttled):
        world.run()
    assert "Safety Walk/phone.jpg" not in world.procore_photos()
    taken = world.run()
    assert ("copied", "procore", "phone.jpg") in taken.actions()
    world.assert_in_sync()
    world.assert_settled()


def test_edit_in_sharepoint_and_rename_in_procore_both_apply(world: PhotoWorld) -> None:
    old = world.procore_photos()["Site Progress/IMG_0002.jpg"]
    world.procore_act("PATCH", f"images/{old['id']}", {"filename": "column.jpg"})
    world.sharepoint_act("edit", "Site Progress/IMG_0002.jpg", content="retouched" * 20)
    result = world.run()
    assert ("updated", "both", "column.jpg") in result.actions()
    new = world.procore_photos()["Site Progress/column.jpg"]
    assert new["id"] != old["id"]
    assert world.procore_bytes(new["id"]) == b"retouched" * 20
    assert world.sharepoint_bytes("Site Progress/column.jpg") == b"retouched" * 20
    world.assert_in_sync()
    world.assert_settled()
