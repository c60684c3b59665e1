"""What a project still has waiting: SharePoint changes for its next pass, and deletes held back
for the administrator's answer. Counted in full (reading keys only) and listed in part, so a
shown project stays small however long the backlog."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from pydantic import ValidationError

from shared.admin.views import (
    HELD_SHOWN,
    PENDING_SHOWN,
    HeldDeleteLine,
    HeldDeletesSection,
    PendingLine,
    PendingSection,
)
from shared.graph.models import DriveItem
from shared.state import StateStore
from shared.state.codec import E, entity_etag, from_properties
from shared.state.pending import HeldDelete, PendingChange
from shared.state.tables import StateTable


def _count(table: StateTable, partition: str) -> int:
    rows = table.query(
        "PartitionKey eq @pk", {"pk": partition}, select=["RowKey"], partition_key=partition
    )
    return sum(1 for _ in rows)


def _first(table: StateTable, partition: str, model: type[E], limit: int) -> Iterator[E]:
    rows = table.query(
        "PartitionKey eq @pk", {"pk": partition}, page_size=limit, partition_key=partition
    )
    for entity in itertools.islice(rows, limit):
        yield from_properties(model, entity, etag=entity_etag(entity))


def pending_line(change: PendingChange) -> PendingLine:
    """The change as shown; an item whose stored JSON no longer reads is shown by id only."""
    try:
        item: DriveItem | None = DriveItem.model_validate_json(change.item_json)
    except ValidationError:
        item = None
    return PendingLine(
        item_id=change.item_id,
        area=change.area.value,
        name=item.name if item is not None else None,
        deleted=item is not None and item.is_deleted,
        is_folder=item is not None and item.is_folder,
        seen_at=change.seen_at,
    )


def pending_section(store: StateStore, key: str) -> PendingSection:
    table, partition = store.pending.table, store.pending.partition(key)
    return PendingSection(
        count=_count(table, partition),
        items=[
            pending_line(change)
            for change in _first(table, partition, PendingChange, PENDING_SHOWN)
        ],
    )


def held_count(store: StateStore, key: str) -> int:
    return _count(store.held.table, store.held.partition(key))


def held_line(held: HeldDelete) -> HeldDeleteLine:
    return HeldDeleteLine.model_validate(held.model_dump(exclude={"etag"}))


def held_section(store: StateStore, key: str) -> HeldDeletesSection:
    table, partition = store.held.table, store.held.partition(key)
    return HeldDeletesSection(
        count=_count(table, partition),
        items=[held_line(h) for h in _first(table, partition, HeldDelete, HELD_SHOWN)],
    )
