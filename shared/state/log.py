"""The Log table: each project's action log (partition = project key).

RowKey = inverted timestamp + a unique suffix: `<10^19 - 1 - microseconds since epoch, 19 digits>`
`-<process sequence>-<random>`. Ascending RowKey order (the order Table Storage returns a
partition in) is therefore newest first. Within one process the timestamps are made strictly
increasing, so a burst keeps its order; the random part keeps entries of different processes in
the same microsecond apart.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from shared.state.codec import Entity
from shared.state.repository import Repository
from shared.state.tables import Op

TEXT_MAX_CHARS = 8000
"""Free text (reason, detail, name, path) is cut to this length, far below the 64 KiB limit."""

_INVERT = 10**19 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)


class LogAction(StrEnum):
    COPIED = "copied"
    UPDATED = "updated"
    MOVED = "moved"
    RENAMED = "renamed"
    DELETED = "deleted"
    RESTORED = "restored"
    LINKED = "linked"
    CONFLICT = "conflict"
    SKIPPED = "skipped"
    ERROR = "error"
    INFO = "info"


LogSide = Literal["procore", "sharepoint", "both"]


class LogEntry(Entity):
    """One line of a project's log: what was done (or not, and why) to which item."""

    project_key: str
    at: datetime
    action: LogAction
    side: LogSide | None = Field(default=None, description="The side that was written to.")
    procore_id: int | None = None
    sharepoint_id: str | None = None
    name: str | None = None
    path: str | None = None
    reason: str | None = Field(default=None, description="Why, for skipped/conflict/error.")
    detail: str | None = None
    row: str | None = Field(default=None, exclude=True, description="The entry's RowKey.")

    @field_validator("name", "path", "reason", "detail")
    @classmethod
    def _cut(cls, value: str | None) -> str | None:
        if value is not None and len(value) > TEXT_MAX_CHARS:
            return value[: TEXT_MAX_CHARS - 1] + "…"
        return value


class _RowClock:
    """Strictly increasing microsecond stamps within the process, plus a sequence number."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._sequence = itertools.count()

    def row(self, at: datetime) -> str:
        micros = (at - _EPOCH) // _ONE_MICROSECOND
        with self._lock:
            micros = max(micros, self._last + 1)
            self._last = micros
            sequence = next(self._sequence)
        return f"{_INVERT - micros:019d}-{sequence:012d}-{secrets.token_hex(4)}"


_ROWS = _RowClock()


class LogRepository(Repository[LogEntry]):
    """Appends to and reads each project's action log."""

    model = LogEntry

    def _operation(self, entry: LogEntry) -> tuple[LogEntry, Op]:
        row = _ROWS.row(entry.at)
        return entry.model_copy(update={"row": row}), Op(
            "create", self._entity(entry.project_key, row, entry)
        )

    def append(self, entry: LogEntry) -> LogEntry:
        """Add one entry; returns it with its RowKey."""
        stamped, op = self._operation(entry)
        etag = self.table.create(op.entity)
        return stamped.model_copy(update={"etag": etag})

    def append_many(self, entries: Iterable[LogEntry]) -> list[LogEntry]:
        """Add entries of one project in as few transactions as possible (atomic per 100)."""
        stamped: list[LogEntry] = []
        operations: list[Op] = []
        for entry in entries:
            with_row, op = self._operation(entry)
            stamped.append(with_row)
            operations.append(op)
        etags = self.table.transact(operations)
        return [
            entry.model_copy(update={"etag": etag})
            for entry, etag in zip(stamped, etags, strict=True)
        ]

    def entry(
        self, project_key: str, action: LogAction, *, at: datetime | None = None, **fields: object
    ) -> LogEntry:
        """A new entry stamped with the repository's clock (not yet stored)."""
        return LogEntry.model_validate(
            {"project_key": project_key, "action": action, "at": at or self.clock(), **fields}
        )

    def recent(self, project_key: str, limit: int = 50) -> list[LogEntry]:
        """The project's newest `limit` entries, newest first."""
        if limit <= 0:
            return []
        return list(itertools.islice(self._entries(project_key, min(limit, 1000)), limit))

    def _entries(self, project_key: str, page_size: int) -> Iterator[LogEntry]:
        for entity in self.table.query(
            "PartitionKey eq @pk",
            {"pk": project_key},
            page_size=page_size,
            partition_key=project_key,
        ):
            yield self._load(entity, row=entity["RowKey"])
