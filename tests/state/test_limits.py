"""Azure's entity rules are enforced in our code, before any request (Azurite is laxer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.data.tables import EdmType, EntityProperty

from shared.state.errors import EntityRejected
from shared.state.limits import (
    CUSTOM_PROPERTIES_MAX,
    ENTITY_MAX_BYTES,
    STRING_MAX_BYTES,
    check_entity,
)
from shared.state.tables import Op, StateTable


def keys(row: str = "r") -> dict[str, Any]:
    return {"PartitionKey": "p", "RowKey": row}


def big_entity(row: str = "big") -> dict[str, Any]:
    """Over 1 MiB: 17 strings of 32,000 code units (each within the 64 KiB string limit)."""
    return {**keys(row), **{f"s{i}": "x" * 32_000 for i in range(17)}}


def test_entity_size_follows_azures_formula() -> None:
    entity = {
        "PartitionKey": "pk",
        "RowKey": "rk1",
        "name": "héllo😀",  # 7 UTF-16 code units
        "count": 5,
        "big": EntityProperty(5, EdmType.INT64),
        "flag": True,
        "at": datetime(2024, 1, 1, tzinfo=UTC),
        "ratio": 0.5,
        "blob": b"abc",
    }
    expected = (
        4
        + (2 + 3) * 2
        + (8 + 4 * 2 + 7 * 2 + 4)
        + (8 + 5 * 2 + 4)
        + (8 + 3 * 2 + 8)
        + (8 + 4 * 2 + 1)
        + (8 + 2 * 2 + 8)
        + (8 + 5 * 2 + 8)
        + (8 + 4 * 2 + 3 + 4)
    )
    assert check_entity("T", entity) == expected


def test_strings_are_limited_to_64_kib_of_utf16() -> None:
    limit_units = STRING_MAX_BYTES // 2
    check_entity("T", {**keys(), "s": "x" * limit_units})
    check_entity("T", {**keys(), "s": "😀" * (limit_units // 2)})
    with pytest.raises(EntityRejected) as refused:
        check_entity("T", {**keys(), "s": "x" * (limit_units + 1)})
    assert refused.value.property_name == "s"
    with pytest.raises(EntityRejected):
        check_entity("T", {**keys(), "s": "😀" * (limit_units // 2) + "x"})


def test_custom_properties_are_limited_to_252() -> None:
    check_entity("T", {**keys(), **{f"p{i}": i for i in range(CUSTOM_PROPERTIES_MAX)}})
    with pytest.raises(EntityRejected, match="253 custom properties"):
        check_entity("T", {**keys(), **{f"p{i}": i for i in range(CUSTOM_PROPERTIES_MAX + 1)}})


def test_entities_are_limited_to_1_mib() -> None:
    with pytest.raises(EntityRejected) as refused:
        check_entity("Projects", big_entity())
    message = str(refused.value)
    assert "Projects" in message and "'big'" in message and str(ENTITY_MAX_BYTES) in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("bad-name", 1),
        ("1st", 1),
        ("Timestamp", 1),
        ("x" * 256, 1),
        ("n", 2**31),
        ("n", EntityProperty(2**63, EdmType.INT64)),
        ("at", datetime(1600, 12, 31, tzinfo=UTC)),
        ("blob", b"x" * (64 * 1024 + 1)),
        ("s", "lone \ud800 surrogate"),
        ("obj", object()),
    ],
)
def test_invalid_properties_are_named(name: str, value: Any) -> None:
    with pytest.raises(EntityRejected) as refused:
        check_entity("Items", {**keys(), name: value})
    assert refused.value.table == "Items"
    assert refused.value.property_name is not None
    assert refused.value.property_name.startswith(name[:40])


@pytest.mark.parametrize("row", ["a/b", "a\\b", "a#b", "a?b", "a\x00b", "a\x85b", "x" * 513])
def test_invalid_keys_are_refused(row: str) -> None:
    with pytest.raises(EntityRejected) as refused:
        check_entity("Items", keys(row))
    assert refused.value.property_name == "RowKey"


@pytest.fixture
def sent(scratch: StateTable, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names of the SDK write calls the table made (none may happen for a refused entity)."""
    calls: list[str] = []
    for method in ("create_entity", "update_entity", "upsert_entity", "submit_transaction"):
        original = getattr(scratch.client, method)

        def record(*args: Any, _name: str = method, _original: Any = original, **kw: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(scratch.client, method, record)
    yield calls


OVER_LIMIT = {
    "1 MiB": big_entity,
    "64 KiB string": lambda: {**keys("str"), "s": "x" * (STRING_MAX_BYTES // 2 + 1)},
    "253 properties": lambda: {**keys("props"), **{f"p{i}": i for i in range(253)}},
    "bad property name": lambda: {**keys("name"), "bad-name": 1},
}


@pytest.mark.integration
@pytest.mark.parametrize("case", OVER_LIMIT)
def test_over_limit_entities_never_reach_azurite(
    scratch: StateTable, sent: list[str], case: str
) -> None:
    entity = OVER_LIMIT[case]()
    with pytest.raises(EntityRejected):
        scratch.create(entity)
    with pytest.raises(EntityRejected):
        scratch.replace(entity, None)
    good = [Op("create", {**keys(f"ok{i}"), "n": i}) for i in range(150)]
    with pytest.raises(EntityRejected):
        scratch.transact([*good, Op("upsert", entity)])
    assert sent == []
    assert scratch.find("p", entity["RowKey"]) is None
    assert scratch.find("p", "ok0") is None


@pytest.mark.integration
@pytest.mark.parametrize("case", ["1 MiB", "253 properties", "bad property name"])
def test_azurite_alone_would_accept_them(scratch: StateTable, case: str) -> None:
    """Why the checks above exist: the emulator stores these; Azure would answer 400."""
    entity = OVER_LIMIT[case]()
    scratch.ensure()
    scratch.client.create_entity(entity)
    assert scratch.find("p", entity["RowKey"]) is not None
