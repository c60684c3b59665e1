"""Typed entities and their mapping to Table Storage properties.

Each table's record is a frozen pydantic model deriving from `Entity`. Fields map to properties of
the same name (snake_case names are valid property names):

- `str`, string enums and string `Literal`s -> Edm.String; `bool` -> Edm.Boolean;
  `float` -> Edm.Double; `datetime` (timezone-aware) -> Edm.DateTime;
- `int` -> Edm.Int64 always (the SDK would send Int32 and refuse anything larger, and sizes, ids
  and counters outgrow 32 bits);
- anything else (lists, dicts, nested models) -> a compact JSON string, decoded on read;
- `None` -> the property is left out (Table Storage stores no nulls; a replace drops it).

The keys are not fields: each repository derives PartitionKey/RowKey from the record, so a record
and its keys cannot disagree. `etag` is the ETag the record was read with (not stored).
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from azure.data.tables import EdmType, EntityProperty
from pydantic import BaseModel, ConfigDict, Field

KEY_PROPERTIES = ("PartitionKey", "RowKey", "Timestamp")


class Entity(BaseModel):
    """A stored record: frozen, carrying the ETag it was read with (None before the first write)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    etag: str | None = Field(
        default=None, exclude=True, description="ETag seen at read time; writes use If-Match."
    )


E = TypeVar("E", bound=Entity)


def _bare(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return _bare(args[0])
    return annotation


def _kind(annotation: Any) -> str:
    bare = _bare(annotation)
    if bare is bool:
        return "bool"
    if bare is int:
        return "int64"
    if bare is float:
        return "float"
    if bare is str:
        return "str"
    if bare is datetime:
        return "datetime"
    if isinstance(bare, type) and issubclass(bare, Enum) and issubclass(bare, str):
        return "str"
    if get_origin(bare) is Literal and all(isinstance(arg, str) for arg in get_args(bare)):
        return "str"
    return "json"


@cache
def _stored_fields(model: type[Entity]) -> dict[str, str]:
    return {
        name: _kind(field.annotation)
        for name, field in model.model_fields.items()
        if not field.exclude
    }


def to_properties(record: Entity) -> dict[str, Any]:
    """The record's properties as azure-data-tables takes them (keys not included)."""
    kinds = _stored_fields(type(record))
    json_view: dict[str, Any] | None = None
    properties: dict[str, Any] = {}
    for name, kind in kinds.items():
        value = getattr(record, name)
        if value is None:
            continue
        if kind == "int64":
            properties[name] = EntityProperty(int(value), EdmType.INT64)
        elif kind == "str":
            properties[name] = value.value if isinstance(value, Enum) else str(value)
        elif kind == "datetime":
            if value.tzinfo is None:
                raise ValueError(f"{type(record).__name__}.{name} must be timezone-aware")
            properties[name] = value.astimezone(UTC)
        elif kind == "json":
            if json_view is None:
                json_view = record.model_dump(mode="json")
            properties[name] = json.dumps(
                json_view[name], ensure_ascii=False, separators=(",", ":")
            )
        else:
            properties[name] = value
    return properties


def _plain(value: Any) -> Any:
    if isinstance(value, EntityProperty):
        value = value.value
    if isinstance(value, datetime):
        return datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=value.tzinfo or UTC,
        )
    return value


def from_properties(
    model: type[E], entity: Mapping[str, Any], *, etag: str | None = None, **extra: Any
) -> E:
    """Build a record from a stored entity (extra values, e.g. ones decoded from keys, win)."""
    kinds = _stored_fields(model)
    data: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name not in entity:
            continue
        value = _plain(entity[name])
        if kind == "json" and isinstance(value, str):
            value = json.loads(value)
        data[name] = value
    data.update(extra)
    data["etag"] = etag
    return model.model_validate(data)


def entity_etag(entity: Any) -> str | None:
    """The ETag azure-data-tables attached to a returned entity."""
    metadata = getattr(entity, "metadata", None) or {}
    etag = metadata.get("etag")
    return str(etag) if etag else None
