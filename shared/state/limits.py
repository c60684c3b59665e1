"""Azure Table Storage's entity rules, enforced before any write.

Azurite accepts entities that Azure rejects (oversized entities and strings, too many properties),
so a bug would only show in production; every write is checked here first (API-NOTES C1):

- entity <= 1 MiB, sized as Azure's "estimating entity size" formula counts it:
  `4 + len(PartitionKey + RowKey) * 2 + sum(8 + len(name) * 2 + sizeof(value))` where lengths are
  UTF-16 code units, strings are `len * 2 + 4`, binary `len + 4`, DateTime/Double/Int64 8,
  Int32 4, Guid 16, Boolean 1;
- each string <= 64 KiB in UTF-16 (32,768 code units), each binary <= 64 KiB;
- <= 252 custom properties (255 including PartitionKey, RowKey and Timestamp);
- property names <= 255 characters, identifier rules (we accept the ASCII subset
  `[A-Za-z_][A-Za-z0-9_]*`, stricter than C#'s), not one of the system property names;
- keys as in `keys.key_problem`; DateTime from 1601-01-01 UTC.

An entity-group transaction takes <= 100 entities and a payload <= 4 MiB; `batch_chunks` splits a
longer list of operations accordingly.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from azure.data.tables import EdmType, EntityProperty

from shared.state.errors import EntityRejected
from shared.state.keys import key_problem

ENTITY_MAX_BYTES = 1024 * 1024
STRING_MAX_BYTES = 64 * 1024
BINARY_MAX_BYTES = 64 * 1024
CUSTOM_PROPERTIES_MAX = 252
PROPERTY_NAME_MAX_CHARS = 255
BATCH_MAX_ENTITIES = 100
BATCH_MAX_BYTES = 4 * 1024 * 1024
BATCH_SAFETY_BYTES = 256 * 1024
"""Headroom under 4 MiB for the multipart framing that `payload_estimate` only approximates."""

T = TypeVar("T")

SYSTEM_PROPERTIES = frozenset({"PartitionKey", "RowKey", "Timestamp"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATETIME_MIN = datetime(1601, 1, 1, tzinfo=UTC)
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class _Rejector:
    """Builds `EntityRejected` errors naming the table and keys of one entity."""

    def __init__(self, table: str, partition_key: Any, row_key: Any) -> None:
        self.table = table
        self.partition_key = partition_key if isinstance(partition_key, str) else None
        self.row_key = row_key if isinstance(row_key, str) else None

    def __call__(self, message: str, prop: str | None = None) -> EntityRejected:
        return EntityRejected(
            message,
            table=self.table,
            partition_key=self.partition_key,
            row_key=self.row_key,
            property_name=prop,
        )


def _utf16_units(text: str) -> int | None:
    try:
        return len(text.encode("utf-16-le")) // 2
    except UnicodeEncodeError:
        return None


def _int_size(name: str, value: int, edm: EdmType | None, reject: _Rejector) -> int:
    if edm == EdmType.INT64:
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise reject(f"integer {value} is out of range for Edm.Int64", name)
        return 8
    if not _INT32_MIN <= value <= _INT32_MAX:
        raise reject(f"integer {value} is out of range for Edm.Int32 (store it as Int64)", name)
    return 4


def _value_size(name: str, value: Any, reject: _Rejector) -> int:
    """sizeof(value) per Azure's formula, checking the per-value limits on the way."""
    edm: EdmType | None = None
    if isinstance(value, EntityProperty):
        edm, value = EdmType(value.edm_type), value.value
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return _int_size(name, value, edm, reject)
    if isinstance(value, float):
        return 8
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if aware < _DATETIME_MIN:
            raise reject(f"DateTime {value.isoformat()} is before 1601-01-01 UTC", name)
        return 8
    if isinstance(value, uuid.UUID):
        return 16
    if isinstance(value, bytes | bytearray):
        if len(value) > BINARY_MAX_BYTES:
            raise reject(
                f"binary value is {len(value)} bytes; the limit is {BINARY_MAX_BYTES}", name
            )
        return len(value) + 4
    if isinstance(value, str):
        if edm == EdmType.GUID:
            return 16
        units = _utf16_units(value)
        if units is None:
            raise reject("string is not valid Unicode (it holds a lone surrogate)", name)
        if units * 2 > STRING_MAX_BYTES:
            raise reject(
                f"string is {units * 2} bytes in UTF-16 ({units} code units); the limit is "
                f"{STRING_MAX_BYTES} bytes ({STRING_MAX_BYTES // 2} code units)",
                name,
            )
        return units * 2 + 4
    raise reject(f"a {type(value).__name__} value has no Table Storage type", name)


def check_entity(table: str, entity: Mapping[str, Any]) -> int:
    """Raise `EntityRejected` if Azure would refuse `entity`; return its size in bytes."""
    partition_key = entity.get("PartitionKey")
    row_key = entity.get("RowKey")
    reject = _Rejector(table, partition_key, row_key)
    for which, key in (("PartitionKey", partition_key), ("RowKey", row_key)):
        if key is None:
            raise reject(f"{which} is missing", which)
        problem = key_problem(key)
        if problem is not None:
            raise reject(f"{which} {problem}", which)
    assert isinstance(partition_key, str) and isinstance(row_key, str)
    size = 4 + (len(partition_key) + len(row_key)) * 2
    custom = [name for name in entity if name not in ("PartitionKey", "RowKey")]
    if len(custom) > CUSTOM_PROPERTIES_MAX:
        raise reject(
            f"entity has {len(custom)} custom properties; the limit is {CUSTOM_PROPERTIES_MAX}"
        )
    for name in custom:
        if not isinstance(name, str) or name in SYSTEM_PROPERTIES:
            raise reject("is a system property or not a string name", str(name))
        if len(name) > PROPERTY_NAME_MAX_CHARS:
            raise reject(
                f"property name is {len(name)} characters; the limit is {PROPERTY_NAME_MAX_CHARS}",
                name[:40] + "...",
            )
        if not _NAME.fullmatch(name):
            raise reject("property name is not a valid identifier ([A-Za-z_][A-Za-z0-9_]*)", name)
        size += 8 + len(name) * 2 + _value_size(name, entity[name], reject)
    if size > ENTITY_MAX_BYTES:
        raise reject(f"entity is {size} bytes; the limit is {ENTITY_MAX_BYTES} (1 MiB)")
    return size


_TYPE_ANNOTATION = len('"@odata.type":"Edm.DateTime",')
"""Typed values (Int64, DateTime, Binary, Guid, Double) carry `<name>@odata.type` beside them."""
_OPERATION_FRAMING = 1024
"""Per-operation multipart headers and request line (URL with both keys included, generously)."""


def payload_estimate(entity: Mapping[str, Any]) -> int:
    """A generous estimate of an entity's bytes in a transaction body (JSON plus framing)."""
    body: dict[str, Any] = {}
    typed = 0
    for name, value in entity.items():
        raw = value.value if isinstance(value, EntityProperty) else value
        if isinstance(raw, bytes | bytearray):
            raw = "x" * (len(raw) * 4 // 3 + 4)  # base64
        elif not isinstance(raw, str | bool | int | float) and raw is not None:
            raw = str(raw)
        body[name] = raw
        if not isinstance(raw, str | bool) or isinstance(value, EntityProperty):
            typed += len(name) + _TYPE_ANNOTATION
    text = json.dumps(body, ensure_ascii=True)
    return len(text) + typed + 2 * len(str(entity.get("PartitionKey", ""))) + _OPERATION_FRAMING


def batch_chunks(
    operations: Sequence[T],
    sizes: Sequence[int],
    *,
    max_entities: int = BATCH_MAX_ENTITIES,
    max_bytes: int = BATCH_MAX_BYTES - BATCH_SAFETY_BYTES,
) -> Iterator[list[T]]:
    """Split operations (with their payload estimates) into transactions within the limits."""
    chunk: list[T] = []
    chunk_bytes = 0
    for operation, size in zip(operations, sizes, strict=True):
        if chunk and (len(chunk) >= max_entities or chunk_bytes + size > max_bytes):
            yield chunk
            chunk, chunk_bytes = [], 0
        chunk.append(operation)
        chunk_bytes += size
    if chunk:
        yield chunk
