"""The Items table: the base of each pair, two rows written together, found by either id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.state import AlreadyExists, ConcurrencyConflict, EntityNotFound, StateStore
from shared.state.items import ItemBase, ItemKind
from shared.state.tables import StateTable

pytestmark = pytest.mark.integration

PROJECT = "77-1001"
SYNCED = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def an_item(procore_id: int, sharepoint_id: str, **overrides: object) -> ItemBase:
    values: dict[str, object] = {
        "project_key": PROJECT,
        "kind": ItemKind.FILE,
        "procore_id": procore_id,
        "sharepoint_id": sharepoint_id,
        "procore_parent_id": 500,
        "sharepoint_parent_id": "01PARENT",
        "procore_name": f"Plan {procore_id}: A/B?.pdf",
        "sharepoint_name": f"Plan {procore_id}_ A_B_.pdf",
        "path": f"Drawings/Plan {procore_id}: A/B?.pdf",
        "size": 6 * 2**30,
        "procore_version_id": 9_000_000_001,
        "procore_version_number": 3,
        "sharepoint_etag": '"{ABC},4"',
        "sharepoint_ctag": '"c:{ABC},5"',
        "quick_xor_hash": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "procore_modified_at": datetime(2024, 5, 30, 10, 0, 0, 1, tzinfo=UTC),
        "sharepoint_modified_at": datetime(2024, 5, 31, 11, 0, tzinfo=UTC),
        "synced_at": SYNCED,
    }
    values.update(overrides)
    return ItemBase.model_validate(values)


def raw_rows(table: StateTable) -> dict[str, dict[str, object]]:
    return {e["RowKey"]: dict(e) for e in table.query("PartitionKey eq @pk", {"pk": PROJECT})}


def test_a_pair_is_two_rows_found_by_either_id(store: StateStore) -> None:
    saved = store.items.save(an_item(42, "01FILE42"))
    rows = raw_rows(store.items.table)
    assert set(rows) == {"p-42", "s-01FILE42"}
    assert {k: v for k, v in rows["p-42"].items() if k != "RowKey"} == {
        k: v for k, v in rows["s-01FILE42"].items() if k != "RowKey"
    }
    by_procore = store.items.get_by_procore(PROJECT, 42)
    by_sharepoint = store.items.get_by_sharepoint(PROJECT, "01FILE42")
    expected = an_item(42, "01FILE42").model_dump()
    assert by_procore.model_dump() == expected == by_sharepoint.model_dump()
    assert by_procore.read_row == "p-42" and by_sharepoint.read_row == "s-01FILE42"
    assert saved.etag is not None


def test_a_new_pair_whose_id_is_taken_writes_nothing(store: StateStore) -> None:
    store.items.save(an_item(1, "01A"))
    with pytest.raises(AlreadyExists):
        store.items.save(an_item(2, "01A"))
    assert store.items.find_by_procore(PROJECT, 2) is None
    with pytest.raises(EntityNotFound):
        store.items.get_by_procore(PROJECT, 2)


def test_children_of_a_folder_on_each_side(store: StateStore) -> None:
    for n in range(5):
        store.items.save(an_item(n, f"01K{n}", procore_parent_id=10, sharepoint_parent_id="01X"))
    for n in range(5, 8):
        store.items.save(an_item(n, f"01K{n}", procore_parent_id=11, sharepoint_parent_id="01Y"))
    store.items.save(
        an_item(9, "01K9", procore_parent_id=2**40, sharepoint_parent_id="01Z", kind="folder")
    )
    procore_children = sorted(i.procore_id for i in store.items.children(PROJECT, "procore", 10))
    sharepoint_children = sorted(
        i.procore_id for i in store.items.children(PROJECT, "sharepoint", "01Y")
    )
    assert procore_children == [0, 1, 2, 3, 4]
    assert sharepoint_children == [5, 6, 7]
    assert [i.kind for i in store.items.children(PROJECT, "procore", 2**40)] == [ItemKind.FOLDER]
    assert list(store.items.children(PROJECT, "procore", 999)) == []
    assert sorted(i.procore_id for i in store.items.list_items(PROJECT)) == [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        9,
    ]


def test_writers_reading_through_different_rows_still_collide(store: StateStore) -> None:
    store.items.save(an_item(42, "01FILE42"))
    via_procore = store.items.get_by_procore(PROJECT, 42)
    via_sharepoint = store.items.get_by_sharepoint(PROJECT, "01FILE42")
    store.items.save(via_sharepoint.model_copy(update={"sharepoint_name": "winner.pdf"}))
    with pytest.raises(ConcurrencyConflict):
        store.items.save(via_procore.model_copy(update={"sharepoint_name": "loser.pdf"}))
    rows = raw_rows(store.items.table)
    assert {row["sharepoint_name"] for row in rows.values()} == {"winner.pdf"}


def test_a_new_sharepoint_id_moves_the_row(store: StateStore) -> None:
    store.items.save(an_item(42, "01OLD"))
    current = store.items.get_by_sharepoint(PROJECT, "01OLD")
    updated = current.model_copy(update={"sharepoint_id": "01NEW", "size": 7})
    store.items.save(updated, replacing=current)
    assert set(raw_rows(store.items.table)) == {"p-42", "s-01NEW"}
    assert store.items.get_by_sharepoint(PROJECT, "01NEW").size == 7
    with pytest.raises(ValueError):
        store.items.save(
            store.items.get_by_sharepoint(PROJECT, "01NEW").model_copy(
                update={"sharepoint_id": "01NEWER"}
            )
        )


def test_forgetting_a_pair_removes_both_rows(store: StateStore) -> None:
    store.items.save(an_item(42, "01FILE42"))
    store.items.save(an_item(43, "01FILE43"))
    store.items.delete(store.items.get_by_sharepoint(PROJECT, "01FILE42"))
    assert set(raw_rows(store.items.table)) == {"p-43", "s-01FILE43"}


def test_nasty_ids_are_safe(store: StateStore) -> None:
    nasty = "01/A\\B#C?D\x00\x7f'\"~~名前"
    store.items.save(an_item(7, nasty, sharepoint_parent_id=nasty))
    assert store.items.get_by_sharepoint(PROJECT, nasty).sharepoint_id == nasty
    assert [i.procore_id for i in store.items.children(PROJECT, "sharepoint", nasty)] == [7]
