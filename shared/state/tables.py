"""One table of the state store over azure-data-tables: checked, conditional, batched writes.

- Every write is checked against Azure's rules first (`limits.check_entity`): Azurite would accept
  what Azure rejects.
- Conditional writes send `If-Match: <etag>` (`MatchConditions.IfNotModified`); a lost race raises
  `ConcurrencyConflict` and writes nothing (API-NOTES C1: mismatch -> 412).
- `transact` runs an entity-group transaction: one partition, each entity once. Longer lists are
  split into several transactions of <= 100 entities and <= 4 MiB; atomicity then holds per chunk
  only, and chunks are sent in order (a failure leaves the earlier chunks written).
- Tables are created on first use, once per process (idempotent: an existing table is fine).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.data.tables import TableClient, TableServiceClient, TableTransactionError, UpdateMode

from shared.state.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    EntityNotFound,
    InvalidBatch,
    StateError,
    StateUnavailable,
)
from shared.state.limits import batch_chunks, check_entity, payload_estimate

log = logging.getLogger(__name__)

R = TypeVar("R")

_created: set[tuple[str, str]] = set()
_created_lock = threading.Lock()

_CONFLICT_CODES = {"UpdateConditionNotSatisfied", "ConditionNotMet"}
_EXISTS_CODES = {"EntityAlreadyExists", "ResourceAlreadyExists"}
_MISSING_CODES = {"ResourceNotFound", "EntityNotFound", "TableNotFound"}


def _error_code(exc: BaseException | None) -> str:
    """The service's error code (`x-ms-error-code`), wherever the SDK left it."""
    code = getattr(exc, "error_code", None)
    if not code and isinstance(exc, HttpResponseError):
        headers = getattr(exc.response, "headers", None) or {}
        code = headers.get("x-ms-error-code")
    return str(code or "")


@dataclass(frozen=True)
class Op:
    """One operation of an entity-group transaction.

    `create` fails if the entity exists; `replace`/`delete` with an etag are conditional
    (If-Match), without one unconditional; `upsert` inserts or replaces.
    """

    kind: Literal["create", "replace", "upsert", "delete"]
    entity: Mapping[str, Any]
    etag: str | None = None

    @property
    def keys(self) -> tuple[str, str]:
        return str(self.entity["PartitionKey"]), str(self.entity["RowKey"])


@dataclass
class StateTable:
    """A table of the state store (the full name, prefix included)."""

    service: TableServiceClient
    name: str
    client: TableClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.service.get_table_client(self.name)

    # --- creation -----------------------------------------------------------------------------

    def _cache_key(self) -> tuple[str, str]:
        return (self.service.url, self.name.lower())

    def ensure(self) -> None:
        """Create the table unless this process already did (or found it)."""
        cache_key = self._cache_key()
        if cache_key in _created:
            return
        with _created_lock:
            if cache_key in _created:
                return
            try:
                self.service.create_table(self.name)
                log.info("state table created", extra={"table": self.name})
            except ResourceExistsError:
                pass
            except HttpResponseError as exc:
                if exc.status_code is not None and exc.status_code < 500:
                    raise StateError(
                        f"cannot create table: {exc.message}", table=self.name
                    ) from exc
                raise StateUnavailable(f"cannot create table: {exc}", table=self.name) from exc
            except (ServiceRequestError, ServiceResponseError) as exc:
                raise StateUnavailable(f"cannot create table: {exc}", table=self.name) from exc
            _created.add(cache_key)

    def _call(self, action: Callable[[], R], partition_key: str, row_key: str | None) -> R:
        """Run one request on the table, translating the SDK's errors; retry once if the table
        vanished since this process created it."""
        self.ensure()
        try:
            return self._translate(action, partition_key, row_key)
        except EntityNotFound as exc:
            if _error_code(exc.__cause__) != "TableNotFound":
                raise
            _created.discard(self._cache_key())
            self.ensure()
            return self._translate(action, partition_key, row_key)

    def _translate(self, action: Callable[[], R], partition_key: str, row_key: str | None) -> R:
        where: dict[str, Any] = {
            "table": self.name,
            "partition_key": partition_key,
            "row_key": row_key,
        }
        try:
            return action()
        except ResourceModifiedError as exc:
            raise ConcurrencyConflict("the entity changed since it was read", **where) from exc
        except ResourceExistsError as exc:
            raise AlreadyExists("the entity already exists", **where) from exc
        except ResourceNotFoundError as exc:
            raise EntityNotFound("no such entity", **where) from exc
        except HttpResponseError as exc:
            code = _error_code(exc)
            if exc.status_code == 412 or code in _CONFLICT_CODES:
                raise ConcurrencyConflict("the entity changed since it was read", **where) from exc
            if exc.status_code == 409 and code in _EXISTS_CODES:
                raise AlreadyExists("the entity already exists", **where) from exc
            if exc.status_code == 404 or code in _MISSING_CODES:
                raise EntityNotFound("no such entity", **where) from exc
            if exc.status_code is None or exc.status_code >= 500 or exc.status_code in (408, 429):
                raise StateUnavailable(f"storage failed: {exc.message}", **where) from exc
            raise StateError(f"storage refused the request: {exc.message}", **where) from exc
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise StateUnavailable(f"storage unreachable: {exc}", **where) from exc

    # --- single-entity operations ---------------------------------------------------------------

    def get(self, partition_key: str, row_key: str) -> Any:
        """The entity (its ETag in `.metadata["etag"]`); `EntityNotFound` if absent."""
        return self._call(
            lambda: self.client.get_entity(partition_key, row_key), partition_key, row_key
        )

    def find(self, partition_key: str, row_key: str) -> Any | None:
        """The entity, or None if absent."""
        try:
            return self.get(partition_key, row_key)
        except EntityNotFound:
            return None

    def create(self, entity: Mapping[str, Any]) -> str:
        """Insert `entity`; `AlreadyExists` if it is there. Returns the new ETag."""
        check_entity(self.name, entity)
        pk, rk = str(entity["PartitionKey"]), str(entity["RowKey"])
        meta = self._call(lambda: self.client.create_entity(entity), pk, rk)
        return str(meta["etag"])

    def replace(self, entity: Mapping[str, Any], etag: str | None) -> str:
        """Replace `entity` If-Match `etag` (`ConcurrencyConflict` when it changed,
        `EntityNotFound` when gone); with no etag, insert-or-replace unconditionally."""
        check_entity(self.name, entity)
        pk, rk = str(entity["PartitionKey"]), str(entity["RowKey"])
        if etag is None:
            meta = self._call(
                lambda: self.client.upsert_entity(entity, mode=UpdateMode.REPLACE), pk, rk
            )
        else:
            meta = self._call(
                lambda: self.client.update_entity(
                    entity,
                    mode=UpdateMode.REPLACE,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                ),
                pk,
                rk,
            )
        return str(meta["etag"])

    def delete(self, partition_key: str, row_key: str, etag: str | None = None) -> None:
        """Delete the entity; with an etag only if unchanged (`ConcurrencyConflict`). Deleting an
        absent entity is not an error (the SDK treats 404 on delete as done)."""
        if etag is None:
            self._call(
                lambda: self.client.delete_entity(partition_key, row_key), partition_key, row_key
            )
            return
        self._call(
            lambda: self.client.delete_entity(
                partition_key,
                row_key,
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            ),
            partition_key,
            row_key,
        )

    def query(
        self,
        query_filter: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        select: Sequence[str] | None = None,
        page_size: int | None = None,
        partition_key: str = "",
    ) -> Iterator[Any]:
        """Entities matching an OData filter with `@name` parameters (values escaped by the SDK;
        each `@name` must stand alone between spaces). Lazy: stop iterating to stop paging."""
        self.ensure()
        pages = self.client.query_entities(
            query_filter,
            parameters=dict(parameters or {}),
            select=list(select) if select else None,
            results_per_page=page_size,
        )
        iterator = iter(pages)
        while True:
            try:
                entity = self._translate(lambda: next(iterator, None), partition_key, None)
            except EntityNotFound:
                return
            if entity is None:
                return
            yield entity

    # --- entity-group transactions --------------------------------------------------------------

    def transact(self, operations: Sequence[Op]) -> list[str | None]:
        """Run `operations` as entity-group transaction(s); return each one's new ETag (None for
        deletes). One partition, each entity once; split at 100 entities / 4 MiB, atomic per
        chunk. Every entity is checked before the first chunk is sent."""
        if not operations:
            return []
        partitions = {op.keys[0] for op in operations}
        if len(partitions) > 1:
            raise InvalidBatch(
                f"a transaction spans one partition; got {len(partitions)}: "
                f"{sorted(partitions)[:3]}...",
                table=self.name,
            )
        partition_key = partitions.pop()
        seen: set[str] = set()
        for op in operations:
            row_key = op.keys[1]
            if row_key in seen:
                raise InvalidBatch(
                    "a transaction holds each entity once",
                    table=self.name,
                    partition_key=partition_key,
                    row_key=row_key,
                )
            seen.add(row_key)
            if op.kind != "delete":
                check_entity(self.name, op.entity)
        sizes = [payload_estimate(op.entity) for op in operations]
        etags: list[str | None] = []
        for chunk in batch_chunks(list(operations), sizes):
            etags.extend(self._submit(partition_key, chunk))
        return etags

    def _submit(self, partition_key: str, chunk: list[Op]) -> list[str | None]:
        actions: list[Any] = []
        for op in chunk:
            if op.kind == "create":
                actions.append(("create", op.entity))
            elif op.kind == "upsert":
                actions.append(("upsert", op.entity, {"mode": UpdateMode.REPLACE}))
            elif op.kind == "replace":
                options: dict[str, Any] = {"mode": UpdateMode.REPLACE}
                if op.etag is not None:
                    options.update(etag=op.etag, match_condition=MatchConditions.IfNotModified)
                actions.append(("update", op.entity, options))
            else:
                options = {}
                if op.etag is not None:
                    options.update(etag=op.etag, match_condition=MatchConditions.IfNotModified)
                actions.append(("delete", op.entity, options))
        try:
            results = self._call(
                lambda: self.client.submit_transaction(actions), partition_key, None
            )
        except StateError as exc:
            cause = exc.__cause__
            if not isinstance(cause, TableTransactionError):
                raise
            failed = chunk[cause.index] if 0 <= cause.index < len(chunk) else chunk[0]
            raise type(exc)(
                f"transaction of {len(chunk)} refused at operation {cause.index} "
                f"({failed.kind}): {str(exc).split(' (')[0]}",
                table=self.name,
                partition_key=partition_key,
                row_key=failed.keys[1],
            ) from cause
        return [
            None if op.kind == "delete" else str(result.get("etag"))
            for op, result in zip(chunk, results, strict=True)
        ]
