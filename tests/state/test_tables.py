"""Conditional writes, entity-group batches, table creation and key safety against Azurite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.config import Settings
from shared.state import tables as tables_module
from shared.state.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    EntityNotFound,
    InvalidBatch,
    StateUnavailable,
)
from shared.state.keys import decode_key, encode_key
from shared.state.tables import Op, StateTable
from shared.storage import table_service
from tests.state.test_keys import NASTY

pytestmark = pytest.mark.integration


def row(n: int, **props: object) -> dict[str, object]:
    return {"PartitionKey": "batch", "RowKey": f"r{n:04d}", "n": n, **props}


def test_create_if_absent_and_missing_entities(scratch: StateTable) -> None:
    etag = scratch.create({"PartitionKey": "p", "RowKey": "a", "v": "first"})
    with pytest.raises(AlreadyExists):
        scratch.create({"PartitionKey": "p", "RowKey": "a", "v": "second"})
    assert scratch.get("p", "a")["v"] == "first"
    with pytest.raises(EntityNotFound):
        scratch.get("p", "missing")
    with pytest.raises(EntityNotFound):
        scratch.replace({"PartitionKey": "p", "RowKey": "missing"}, etag)


def test_a_lost_race_raises_and_leaves_the_winners_data(scratch: StateTable) -> None:
    etag = scratch.create({"PartitionKey": "p", "RowKey": "a", "v": "base"})
    # Two writers read the same version; the first to write wins.
    winner_etag = scratch.replace({"PartitionKey": "p", "RowKey": "a", "v": "winner"}, etag)
    with pytest.raises(ConcurrencyConflict):
        scratch.replace({"PartitionKey": "p", "RowKey": "a", "v": "loser"}, etag)
    with pytest.raises(ConcurrencyConflict):
        scratch.delete("p", "a", etag)
    stored = scratch.get("p", "a")
    assert stored["v"] == "winner"
    assert stored.metadata["etag"] == winner_etag
    scratch.delete("p", "a", winner_etag)
    assert scratch.find("p", "a") is None


@pytest.mark.parametrize(("count", "expected"), [(101, [100, 1]), (250, [100, 100, 50])])
def test_batches_are_split_at_100_entities(
    scratch: StateTable,
    transactions: Callable[[StateTable], list[int]],
    count: int,
    expected: list[int],
) -> None:
    sent = transactions(scratch)
    etags = scratch.transact([Op("create", row(n)) for n in range(count)])
    assert sent == expected
    assert len(etags) == count and all(etags)
    stored = list(scratch.query("PartitionKey eq @pk", {"pk": "batch"}))
    assert sorted(entity["n"] for entity in stored) == list(range(count))


def test_batches_are_split_by_payload_size(
    scratch: StateTable, transactions: Callable[[StateTable], list[int]]
) -> None:
    """40 entities of ~120 KB each exceed one 4 MiB transaction (Azurite refuses it too)."""
    sent = transactions(scratch)
    fat = {f"s{j}": "y" * 30_000 for j in range(4)}
    scratch.transact([Op("create", row(n, **fat)) for n in range(40)])
    assert len(sent) >= 2 and sum(sent) == 40
    assert len(list(scratch.query("PartitionKey eq @pk", {"pk": "batch"}, select=["n"]))) == 40


def test_a_transaction_is_all_or_nothing(scratch: StateTable) -> None:
    scratch.create(row(7, v="existing"))
    with pytest.raises(AlreadyExists) as refused:
        scratch.transact([Op("create", row(n)) for n in range(20)])
    assert refused.value.row_key == "r0007"
    assert [e["RowKey"] for e in scratch.query("PartitionKey eq @pk", {"pk": "batch"})] == ["r0007"]


def test_a_conditional_operation_in_a_transaction_that_lost_writes_nothing(
    scratch: StateTable,
) -> None:
    etag = scratch.create(row(1, v="base"))
    scratch.replace(row(1, v="winner"), etag)
    with pytest.raises(ConcurrencyConflict):
        scratch.transact([Op("create", row(2)), Op("replace", row(1, v="loser"), etag)])
    assert scratch.get("batch", "r0001")["v"] == "winner"
    assert scratch.find("batch", "r0002") is None


def test_batches_refuse_mixed_partitions_and_repeated_entities(scratch: StateTable) -> None:
    with pytest.raises(InvalidBatch):
        scratch.transact([Op("create", row(1)), Op("create", {"PartitionKey": "x", "RowKey": "y"})])
    with pytest.raises(InvalidBatch):
        scratch.transact([Op("create", row(1)), Op("upsert", row(1))])
    assert scratch.find("batch", "r0001") is None


def test_tables_are_created_once_and_creation_is_idempotent(settings: Settings) -> None:
    service = table_service(settings)
    name = settings.table_name("Twice")
    first = StateTable(service, name)
    first.create({"PartitionKey": "p", "RowKey": "a"})
    tables_module._created.clear()  # another process, same table
    second = StateTable(table_service(settings), name)
    second.create({"PartitionKey": "p", "RowKey": "b"})
    assert {e["RowKey"] for e in second.query("PartitionKey eq @pk", {"pk": "p"})} == {"a", "b"}


def test_a_table_deleted_behind_our_back_is_created_again(settings: Settings) -> None:
    service = table_service(settings)
    table = StateTable(service, settings.table_name("Vanishing"))
    table.create({"PartitionKey": "p", "RowKey": "a"})
    service.delete_table(table.name)
    table.create({"PartitionKey": "p", "RowKey": "b"})
    assert table.get("p", "b")["RowKey"] == "b"


def test_nasty_names_are_safe_as_keys(scratch: StateTable) -> None:
    for index, name in enumerate(NASTY):
        partition, row_key = encode_key(name), encode_key(f"{name}#{index}")
        scratch.create({"PartitionKey": partition, "RowKey": row_key, "raw": f"{index}"})
        stored = scratch.get(partition, row_key)
        assert stored["raw"] == f"{index}"
        found = list(scratch.query("PartitionKey eq @pk", {"pk": partition}))
        assert [e["RowKey"] for e in found] == [row_key]
        if len(name) < 60:
            assert decode_key(stored["PartitionKey"]) == name


def test_unreachable_storage_is_reported_as_unavailable() -> None:
    from azure.data.tables import TableServiceClient

    from devhost.services import AZURITE_ACCOUNT, AZURITE_KEY, free_port

    port = free_port()  # nothing listens there
    service = TableServiceClient.from_connection_string(
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"TableEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};",
        retry_total=0,
    )
    table = StateTable(service, "Unreachable")
    with pytest.raises(StateUnavailable):
        table.create({"PartitionKey": "p", "RowKey": "a"})


def test_the_store_uses_exactly_the_listed_tables(settings: Settings) -> None:
    from shared.state import TABLE_BASES, StateStore

    store = StateStore.from_settings(settings)
    names = {
        repo.table.name
        for repo in (store.projects, store.items, store.drives, store.work, store.log)
    }
    assert names == {settings.table_name(base) for base in TABLE_BASES}
