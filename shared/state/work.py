"""The Work table: fan-out bookkeeping, so the last worker of a job can tell the job is done.

Partition `<project>:<job>` (both parts encoded). Rows: one marker `job`, and one `u-<unit id>`
per work unit (a folder to scan, a batch of files to copy...).

Protocol (each step idempotent, so redelivered messages are harmless):

1. `open_job` creates the marker, not yet sealed.
2. `register` adds pending units (creating an existing unit changes nothing, so a done unit is
   never reset). A unit registers the units it fans out to *before* it finishes itself.
3. `seal` says no more top-level units will be registered.
4. `finish` marks a unit done (or failed) and calls `complete_once`.

`complete_once` succeeds for exactly one caller: it reads the marker (with its ETag), returns
False unless the job is sealed and not yet completed, then checks that no unit is pending, and
finally flips `completed` If-Match the marker's ETag, so of concurrent callers only one wins.
Why no completion is missed: units are written done before their writer checks for pending ones,
and the check runs after the write; whoever writes the last unit done (or seals last) finds none
pending. Why no early completion: pending units are only added before the job is sealed or by a
unit that is itself still pending. The marker keeps `completed_by`, so a redelivered message of the
winning unit can tell that it won before and re-drive what follows (idempotently).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.state.clock import Clock, utc_now
from shared.state.codec import Entity
from shared.state.errors import AlreadyExists, ConcurrencyConflict
from shared.state.keys import encode_key
from shared.state.repository import DEFAULT_ATTEMPTS, Repository
from shared.state.tables import Op, StateTable

MARKER_ROW = "job"
_UNIT_PREFIX = "u-"
_UNIT_RANGE_END = "u."


def work_partition(project_key: str, job: str) -> str:
    return f"{encode_key(project_key)}:{encode_key(job)}"


def unit_row(unit_id: str) -> str:
    return _UNIT_PREFIX + encode_key(unit_id)


class UnitState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class WorkUnit(Entity):
    """One unit of a job's fan-out."""

    unit_id: str
    state: UnitState = UnitState.PENDING
    note: str | None = None
    registered_at: datetime | None = None
    finished_at: datetime | None = None
    claimed_by: str | None = None
    claimed_until: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """The answer to `WorkRepository.claim`."""

    taken: bool
    finished: bool = False
    until: datetime | None = None


class Job(Entity):
    """A job's marker row."""

    project_key: str
    job: str
    sealed: bool = False
    completed: bool = False
    completed_by: str | None = None
    opened_at: datetime | None = None
    completed_at: datetime | None = None


class WorkRepository(Repository[Job]):
    """Fan-out bookkeeping: register units, finish them, detect completion exactly once."""

    model = Job

    def __init__(self, table: StateTable, *, clock: Clock = utc_now) -> None:
        super().__init__(table, clock=clock)
        self._units = _UnitRows(table, clock=clock)

    def open_job(self, project_key: str, job: str) -> Job:
        """Create the job's marker (unsealed); an existing marker is returned as it is."""
        partition = work_partition(project_key, job)
        marker = Job(project_key=project_key, job=job, opened_at=self.clock())
        try:
            return self._create(partition, MARKER_ROW, marker)
        except AlreadyExists:
            return self._get(partition, MARKER_ROW)

    def get_job(self, project_key: str, job: str) -> Job:
        return self._get(work_partition(project_key, job), MARKER_ROW)

    def register(self, project_key: str, job: str, unit_ids: Iterable[str]) -> int:
        """Add pending units (duplicates and already known units are left as they are).
        Returns how many were new."""
        partition = work_partition(project_key, job)
        now = self.clock()
        units = {unit_id: WorkUnit(unit_id=unit_id, registered_at=now) for unit_id in unit_ids}
        operations = [Op("create", self._units.entity(partition, unit)) for unit in units.values()]
        created = 0
        for start in range(0, len(operations), 100):
            chunk = operations[start : start + 100]
            try:
                self.table.transact(chunk)
                created += len(chunk)
            except AlreadyExists:
                for op in chunk:
                    try:
                        self.table.create(op.entity)
                        created += 1
                    except AlreadyExists:
                        continue
        return created

    def seal(self, project_key: str, job: str) -> bool:
        """No more top-level units will come. True if this call found the job complete."""
        partition = work_partition(project_key, job)
        self._modify(
            partition,
            MARKER_ROW,
            lambda marker: None if marker.sealed else marker.model_copy(update={"sealed": True}),
        )
        return self.complete_once(project_key, job, by="seal")

    def finish(
        self,
        project_key: str,
        job: str,
        unit_id: str,
        *,
        state: UnitState = UnitState.DONE,
        note: str | None = None,
    ) -> bool:
        """Mark a unit finished (idempotent) and return True if this call completed the job.

        `EntityNotFound` if the unit was never registered. Repeated calls never return True
        twice (see `completed_by` for a redelivered winner).
        """
        if state == UnitState.PENDING:
            raise ValueError("finish a unit as done or failed")
        partition = work_partition(project_key, job)
        now = self.clock()
        self._units.finish(partition, unit_row(unit_id), state, note, now)
        return self.complete_once(project_key, job, by=unit_id)

    def has_pending(self, project_key: str, job: str) -> bool:
        """True if any unit of the job is still pending (reads at most one row)."""
        return next(self._pending_keys(work_partition(project_key, job), 1), None) is not None

    def _pending_keys(self, partition: str, page_size: int) -> Iterator[str]:
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi and state eq @state"
        params = {"pk": partition, "lo": _UNIT_PREFIX, "hi": _UNIT_RANGE_END, "state": "pending"}
        for entity in self.table.query(
            query, params, select=["RowKey"], page_size=page_size, partition_key=partition
        ):
            yield str(entity["RowKey"])

    def complete_once(
        self, project_key: str, job: str, *, by: str, attempts: int = DEFAULT_ATTEMPTS
    ) -> bool:
        """Flip the job to completed if it is sealed and nothing is pending. True for exactly
        one caller; every other (concurrent or later) call returns False."""
        partition = work_partition(project_key, job)
        for _ in range(attempts):
            marker = self._get(partition, MARKER_ROW)
            if marker.completed or not marker.sealed:
                return False
            if self.has_pending(project_key, job):
                return False
            done = marker.model_copy(
                update={"completed": True, "completed_by": by, "completed_at": self.clock()}
            )
            try:
                self._replace(partition, MARKER_ROW, done)
            except ConcurrencyConflict:
                continue
            return True
        raise ConcurrencyConflict(
            f"job marker kept changing over {attempts} attempts",
            table=self.table.name,
            partition_key=partition,
            row_key=MARKER_ROW,
        )

    def claim(
        self, project_key: str, job: str, unit_id: str, owner: str, duration: timedelta
    ) -> Claim:
        """Take (or renew) the right to work on a pending unit for `duration`, so that two
        deliveries of the same work do not run it at once. A claim of a crashed owner runs
        out; the next delivery then takes it over."""
        partition = work_partition(project_key, job)
        now = self.clock()
        outcome: list[Claim] = []

        def take(unit: WorkUnit) -> WorkUnit | None:
            outcome.clear()
            if unit.state != UnitState.PENDING:
                outcome.append(Claim(False, finished=True))
                return None
            held = unit.claimed_by not in (None, owner)
            if held and unit.claimed_until is not None and unit.claimed_until > now:
                outcome.append(Claim(False, until=unit.claimed_until))
                return None
            outcome.append(Claim(True))
            return unit.model_copy(update={"claimed_by": owner, "claimed_until": now + duration})

        self._units.modify(partition, unit_row(unit_id), take)
        return outcome[0]

    def release(self, project_key: str, job: str, unit_id: str, owner: str) -> None:
        """Give up a claim (the work is put back on the queue for later)."""
        self._units.modify(
            work_partition(project_key, job),
            unit_row(unit_id),
            lambda unit: (
                unit.model_copy(update={"claimed_by": None, "claimed_until": None})
                if unit.claimed_by == owner
                else None
            ),
        )

    def unit_state(self, project_key: str, job: str, unit_id: str) -> UnitState | None:
        """The unit's state, or None if it was never registered."""
        unit = self._units.find(work_partition(project_key, job), unit_row(unit_id))
        return None if unit is None else unit.state

    def pending_with_prefix(self, project_key: str, job: str, prefix: str) -> list[str]:
        """Ids of the pending units whose id starts with `prefix`."""
        return [
            unit.unit_id
            for unit in self.units(project_key, job)
            if unit.state == UnitState.PENDING and unit.unit_id.startswith(prefix)
        ]

    def units(self, project_key: str, job: str) -> Iterator[WorkUnit]:
        """Every unit of the job (paged lazily)."""
        return self._units.list_units(work_partition(project_key, job))

    def tally(self, project_key: str, job: str) -> dict[UnitState, int]:
        """How many units are in each state."""
        counts = dict.fromkeys(UnitState, 0)
        for unit in self.units(project_key, job):
            counts[unit.state] += 1
        return counts


class _UnitRows(Repository[WorkUnit]):
    """The unit rows of the Work table (the same table as the markers)."""

    model = WorkUnit

    def entity(self, partition: str, unit: WorkUnit) -> dict[str, object]:
        return self._entity(partition, unit_row(unit.unit_id), unit)

    def finish(
        self, partition: str, row: str, state: UnitState, note: str | None, now: datetime
    ) -> None:
        self._modify(
            partition,
            row,
            lambda unit: (
                None
                if unit.state != UnitState.PENDING
                else unit.model_copy(update={"state": state, "note": note, "finished_at": now})
            ),
        )

    def modify(
        self, partition: str, row: str, change: Callable[[WorkUnit], WorkUnit | None]
    ) -> WorkUnit:
        return self._modify(partition, row, change)

    def find(self, partition: str, row: str) -> WorkUnit | None:
        return self._find(partition, row)

    def list_units(self, partition: str) -> Iterator[WorkUnit]:
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
        params = {"pk": partition, "lo": _UNIT_PREFIX, "hi": _UNIT_RANGE_END}
        for entity in self.table.query(query, params, partition_key=partition):
            yield self._load(entity)
