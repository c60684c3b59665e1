"""Placing SharePoint delta items in a project's trees (shared.sync.routing)."""

from __future__ import annotations

from shared.graph.models import DriveItem
from shared.state.pending import Area
from shared.sync.routing import Roots, route

ROOTS = Roots(documents="docs", photos="photos", project_folder="proj")


class Base:
    def __init__(self, items: dict[str, tuple[Area, bool]]) -> None:
        self.items = items

    def item_area(self, item_id: str) -> Area | None:
        found = self.items.get(item_id)
        return found[0] if found else None

    def folder_area(self, folder_id: str) -> Area | None:
        found = self.items.get(folder_id)
        return found[0] if found and found[1] else None


def file(item_id: str, parent: str) -> DriveItem:
    return DriveItem.model_validate(
        {"id": item_id, "name": f"{item_id}.pdf", "file": {}, "parentReference": {"id": parent}}
    )


def folder(item_id: str, parent: str) -> DriveItem:
    return DriveItem.model_validate(
        {"id": item_id, "name": item_id, "folder": {}, "parentReference": {"id": parent}}
    )


def deleted(item_id: str) -> DriveItem:
    return DriveItem.model_validate({"id": item_id, "deleted": {}})


def ids(items: list[DriveItem]) -> list[str]:
    return [i.id for i in items]


def test_items_below_the_tool_folders_go_to_their_tree() -> None:
    routed = route([file("a", "docs"), folder("album", "photos")], ROOTS, Base({}))
    assert ids(routed.items[Area.DOCUMENTS]) == ["a"]
    assert ids(routed.items[Area.PHOTOS]) == ["album"]


def test_a_new_folder_and_its_files_arrive_together_parents_first() -> None:
    batch = [file("deep", "sub"), file("f", "new"), folder("sub", "new"), folder("new", "docs")]
    routed = route(batch, ROOTS, Base({}))
    order = ids(routed.items[Area.DOCUMENTS])
    assert set(order) == {"deep", "f", "sub", "new"}
    assert order.index("new") < order.index("sub") < order.index("deep")
    assert order.index("new") < order.index("f")


def test_items_under_a_known_folder_or_known_themselves_belong() -> None:
    base = Base({"known-folder": (Area.DOCUMENTS, True), "known-file": (Area.PHOTOS, False)})
    routed = route([file("x", "known-folder"), file("known-file", "elsewhere")], ROOTS, base)
    assert ids(routed.items[Area.DOCUMENTS]) == ["x"]
    assert ids(routed.items[Area.PHOTOS]) == ["known-file"]


def test_a_known_file_is_not_a_parent() -> None:
    base = Base({"known-file": (Area.DOCUMENTS, False)})
    assert route([file("x", "known-file")], ROOTS, base).count == 0


def test_deleted_items_are_placed_only_through_the_base() -> None:
    base = Base({"gone": (Area.DOCUMENTS, False)})
    routed = route([deleted("gone"), deleted("stranger")], ROOTS, base)
    assert ids(routed.items[Area.DOCUMENTS]) == ["gone"]


def test_items_outside_the_project_are_left_alone() -> None:
    routed = route([file("other", "someone-elses-folder"), folder("o", "root")], ROOTS, Base({}))
    assert routed.count == 0


def test_a_deleted_new_folder_places_none_of_its_children() -> None:
    gone_folder = DriveItem.model_validate(
        {"id": "new", "folder": {}, "deleted": {}, "parentReference": {"id": "docs"}}
    )
    routed = route([gone_folder, file("child", "new")], ROOTS, Base({}))
    assert routed.count == 0


def test_the_tool_folders_themselves_are_reported_apart() -> None:
    routed = route([deleted("docs"), folder("photos", "proj")], ROOTS, Base({}))
    assert ids(routed.roots_touched) == ["docs", "photos"]
    assert routed.items == {}
