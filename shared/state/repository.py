"""What every table's repository shares: keys from the record, checked reads and writes, and the
optimistic read-modify-write loop DESIGN §3 asks for (a lost race re-reads and re-decides)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic

from shared.state.clock import Clock, utc_now
from shared.state.codec import E, entity_etag, from_properties, to_properties
from shared.state.errors import ConcurrencyConflict
from shared.state.tables import StateTable

DEFAULT_ATTEMPTS = 20


class Repository(Generic[E]):
    """Base of the per-table repositories: `model` records stored in `table`."""

    model: type[E]

    def __init__(self, table: StateTable, *, clock: Clock = utc_now) -> None:
        self.table = table
        self.clock = clock

    def _entity(self, partition_key: str, row_key: str, record: E) -> dict[str, Any]:
        return {"PartitionKey": partition_key, "RowKey": row_key, **to_properties(record)}

    def _load(self, entity: Mapping[str, Any], **extra: Any) -> E:
        return from_properties(self.model, entity, etag=entity_etag(entity), **extra)

    def _get(self, partition_key: str, row_key: str) -> E:
        return self._load(self.table.get(partition_key, row_key))

    def _find(self, partition_key: str, row_key: str) -> E | None:
        entity = self.table.find(partition_key, row_key)
        return None if entity is None else self._load(entity)

    def _create(self, partition_key: str, row_key: str, record: E) -> E:
        etag = self.table.create(self._entity(partition_key, row_key, record))
        return record.model_copy(update={"etag": etag})

    def _replace(self, partition_key: str, row_key: str, record: E) -> E:
        """Write `record` If-Match the ETag it was read with."""
        if record.etag is None:
            raise ValueError(
                f"{type(record).__name__} has no ETag: read it before replacing it, or create it"
            )
        etag = self.table.replace(self._entity(partition_key, row_key, record), record.etag)
        return record.model_copy(update={"etag": etag})

    def _partition(self, partition_key: str, extra_filter: str = "") -> Iterator[E]:
        query = "PartitionKey eq @pk" + (f" and {extra_filter}" if extra_filter else "")
        for entity in self.table.query(query, {"pk": partition_key}, partition_key=partition_key):
            yield self._load(entity)

    def _modify(
        self,
        partition_key: str,
        row_key: str,
        change: Callable[[E], E | None],
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> E:
        """Read, apply `change`, write If-Match; on a lost race read again and re-apply.

        `change` returns the new record, or None to leave the entity as it is. It may run more
        than once, so it must only compute (no side effects).
        """
        for attempt in range(attempts - 1):
            current = self._get(partition_key, row_key)
            updated = change(current)
            if updated is None:
                return current
            try:
                return self._replace(partition_key, row_key, updated)
            except ConcurrencyConflict:
                # Spread the racers out a little (milliseconds), so many parallel writers of
                # one row (the project's counters) settle instead of colliding again.
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # noqa: S311
                continue
        current = self._get(partition_key, row_key)
        updated = change(current)
        return current if updated is None else self._replace(partition_key, row_key, updated)
