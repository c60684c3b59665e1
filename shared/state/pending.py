"""SharePoint changes waiting for a project's next change pass (kept in the Work table).

A drive's delta feed is pulled once for every project on that drive (DESIGN §5). The pull hands
each change to the projects it belongs to by writing one row per item here (partition
`<project>:sp-changes`, row = the driveItem id): the item's latest state as Graph returned it.
A later change of the same item replaces the row (the feed shows the latest state, last wins).
The pass deletes a row only once it has applied it, and only if the row is still the one it
read (If-Match), so a change that arrives while the pass runs is never lost. Rows are durable:
a paused project finds its changes waiting when it resumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum

from shared.state.codec import Entity
from shared.state.errors import ConcurrencyConflict
from shared.state.keys import encode_key
from shared.state.repository import Repository
from shared.state.tables import Op
from shared.state.work import work_partition

JOB = "sp-changes"


class Area(StrEnum):
    """Which of the project's two-way trees an item belongs to."""

    DOCUMENTS = "documents"
    PHOTOS = "photos"


class PendingChange(Entity):
    """One driveItem's latest known state, not yet applied by the project's pass."""

    item_id: str
    area: Area
    item_json: str
    seen_at: datetime


class PendingRepository(Repository[PendingChange]):
    """Reads and writes a project's pending SharePoint changes."""

    model = PendingChange

    @staticmethod
    def partition(project_key: str) -> str:
        return work_partition(project_key, JOB)

    def put_many(self, project_key: str, changes: Iterable[PendingChange]) -> int:
        """Record (or replace) each change; one transaction per 100 rows. Returns the count."""
        partition = self.partition(project_key)
        ops = [Op("upsert", self._entity(partition, encode_key(c.item_id), c)) for c in changes]
        self.table.transact(ops)
        return len(ops)

    def list_for(self, project_key: str) -> Iterator[PendingChange]:
        return self._partition(self.partition(project_key))

    def count(self, project_key: str) -> int:
        return sum(1 for _ in self.list_for(project_key))

    def done(self, project_key: str, change: PendingChange) -> bool:
        """Remove an applied change, unless a newer one replaced it meanwhile (then False)."""
        try:
            self.table.delete(self.partition(project_key), encode_key(change.item_id), change.etag)
        except ConcurrencyConflict:
            return False
        return True

    def clear(self, project_key: str) -> None:
        """Forget every pending change of the project (disconnect, resync)."""
        partition = self.partition(project_key)
        rows = [c for c in self.list_for(project_key)]
        self.table.transact(
            [
                Op("delete", {"PartitionKey": partition, "RowKey": encode_key(c.item_id)})
                for c in rows
            ]
        )


HELD_JOB = "held-deletes"


class HeldDelete(Entity):
    """A delete seen on one side and held back (the delete limit or a safety stop): the pair
    stays in the base until an administrator approves the deletes or restores the items."""

    procore_id: int
    sharepoint_id: str
    deleted_on: str
    name: str
    path: str
    is_folder: bool = False
    held_at: datetime
    area: Area = Area.DOCUMENTS
    """The tree the pair belongs to (photos and documents are numbered apart in Procore)."""

    @property
    def row(self) -> str:
        ident = str(self.procore_id)
        return encode_key(ident if self.area is Area.DOCUMENTS else f"{self.area.value}-{ident}")


class HeldDeleteRepository(Repository[HeldDelete]):
    """A project's held-back deletes (Work table, partition `<project>:held-deletes`)."""

    model = HeldDelete

    @staticmethod
    def partition(project_key: str) -> str:
        return work_partition(project_key, HELD_JOB)

    def hold(self, project_key: str, held: Iterable[HeldDelete]) -> int:
        partition = self.partition(project_key)
        ops = [Op("upsert", self._entity(partition, h.row, h)) for h in held]
        self.table.transact(ops)
        return len(ops)

    def list_for(self, project_key: str) -> Iterator[HeldDelete]:
        return self._partition(self.partition(project_key))

    def release(self, project_key: str, held: Iterable[HeldDelete]) -> None:
        partition = self.partition(project_key)
        self.table.transact(
            [Op("delete", {"PartitionKey": partition, "RowKey": h.row}) for h in held]
        )


SKIPPED_JOB = "skipped"


class SkippedChange(Entity):
    """A Procore change refused for good on the SharePoint side (a path too long, a name it
    will not take): remembered so the watermark's overlap does not try it, and log it, again;
    a later change of the item (a newer `updated_at`) is tried afresh."""

    procore_id: int
    updated_at: datetime | None = None
    """The refused change's `updated_at` (None: refused by the initial sync, see `skipped_at`)."""
    skipped_at: datetime | None = None

    def covers(self, updated_at: datetime | None) -> bool:
        """Whether a change stamped `updated_at` is the refused one (or older)."""
        mark = self.updated_at or self.skipped_at
        return mark is not None and (updated_at is None or updated_at <= mark)


class SkippedRepository(Repository[SkippedChange]):
    """The project's refused Procore changes (Work table, partition `<project>:skipped`)."""

    model = SkippedChange

    def remember(self, project_key: str, change: SkippedChange) -> None:
        partition = work_partition(project_key, SKIPPED_JOB)
        row = encode_key(str(change.procore_id))
        self.table.transact([Op("upsert", self._entity(partition, row, change))])

    def find(self, project_key: str, procore_id: int) -> SkippedChange | None:
        return self._find(work_partition(project_key, SKIPPED_JOB), encode_key(str(procore_id)))

    def clear(self, project_key: str) -> None:
        partition = work_partition(project_key, SKIPPED_JOB)
        rows = [encode_key(str(c.procore_id)) for c in self._partition(partition)]
        self.table.transact([Op("delete", {"PartitionKey": partition, "RowKey": r}) for r in rows])
