"""Procore event ids already taken in, so a redelivered event enqueues nothing (API-NOTES A9:
deliveries repeat; dedupe by `ulid`).

One row per event in the Work table, partition `procore-events-<YYYYMMDDHH>` (the hour of the
event's own timestamp, which a redelivery repeats), row = the encoded ulid. Taking an event in is
ONE conditional insert: the first delivery creates the row, every later one finds it. Hourly
partitions let old rows go by range: Procore stops retrying after 12 h, so rows older than
WEBHOOK_EVENT_KEEP_H are purged by the renewal timer. The prefix holds no `:`, so it cannot meet
the `<project>:<job>` partitions of the fan-out bookkeeping in the same table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.procore.webhook_models import WebhookEvent
from shared.state import AlreadyExists
from shared.state.keys import encode_key
from shared.state.tables import Op, StateTable

PARTITION_PREFIX = "procore-events-"
HOUR_FORMAT = "%Y%m%d%H"
PURGE_BATCH = 100


def event_id(event: WebhookEvent) -> str:
    """The event's identity across redeliveries: its ulid, else its numeric id."""
    return event.ulid or f"id-{event.id}"


def hour_partition(moment: datetime) -> str:
    return PARTITION_PREFIX + moment.astimezone(UTC).strftime(HOUR_FORMAT)


@dataclass(frozen=True)
class EventLedger:
    """Remembers the Procore events taken in (the Work table)."""

    table: StateTable

    def _keys(self, event: WebhookEvent) -> tuple[str, str]:
        return hour_partition(event.timestamp), encode_key(event_id(event))

    def take(self, event: WebhookEvent, project_key: str, received_at: datetime) -> bool:
        """Record the event; False if it was recorded before (a redelivery)."""
        partition, row = self._keys(event)
        try:
            self.table.create(
                {
                    "PartitionKey": partition,
                    "RowKey": row,
                    "project_key": project_key,
                    "resource_name": event.resource_name,
                    "event_type": event.event_type,
                    "received_at": received_at,
                }
            )
        except AlreadyExists:
            return False
        return True

    def forget(self, event: WebhookEvent) -> None:
        """Undo `take` (the tick could not be queued, so Procore's retry must get through)."""
        partition, row = self._keys(event)
        self.table.delete(partition, row)

    def _old_rows(self, before: datetime) -> Iterator[tuple[str, str]]:
        for entity in self.table.query(
            "PartitionKey ge @low and PartitionKey lt @high",
            {"low": PARTITION_PREFIX, "high": hour_partition(before)},
            select=["PartitionKey", "RowKey"],
        ):
            yield str(entity["PartitionKey"]), str(entity["RowKey"])

    def purge(self, now: datetime, keep: timedelta) -> int:
        """Delete the rows of hours older than `keep`; returns how many went."""
        by_partition: dict[str, list[str]] = {}
        for partition, row in self._old_rows(now - keep):
            by_partition.setdefault(partition, []).append(row)
        removed = 0
        for partition, rows in by_partition.items():
            for start in range(0, len(rows), PURGE_BATCH):
                chunk = rows[start : start + PURGE_BATCH]
                self.table.transact(
                    [Op("delete", {"PartitionKey": partition, "RowKey": row}) for row in chunk]
                )
                removed += len(chunk)
        return removed
