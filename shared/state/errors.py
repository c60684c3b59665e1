"""The exceptions the state store raises: one small hierarchy callers can branch on.

The repositories translate azure-data-tables / azure-core errors into these, so the sync code never
inspects a storage status code (STYLE §2). Each carries the table and the keys it concerns.
"""

from __future__ import annotations


class StateError(Exception):
    """A state-store operation failed."""

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        partition_key: str | None = None,
        row_key: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"table {table}" if table is not None else "",
                f"PartitionKey {partition_key!r}" if partition_key is not None else "",
                f"RowKey {row_key!r}" if row_key is not None else "",
            )
            if part
        )
        super().__init__(f"{message} ({where})" if where else message)
        self.table = table
        self.partition_key = partition_key
        self.row_key = row_key


class EntityNotFound(StateError):
    """The entity (or the table) does not exist."""


class AlreadyExists(StateError):
    """A create-if-absent found the entity already there."""


class ConcurrencyConflict(StateError):
    """An ETag-conditional write lost a race (412): someone else wrote first; nothing was written.

    Re-read, re-decide, and try again (DESIGN §3); never retry the same write blindly.
    """


class EntityRejected(StateError):
    """The entity breaks one of Azure's table rules; refused before any request was sent.

    Azurite accepts entities that Azure rejects (API-NOTES C1), so these rules are checked here.
    `property_name` names the property at fault (None when the entity as a whole is at fault).
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        partition_key: str | None = None,
        row_key: str | None = None,
        property_name: str | None = None,
    ) -> None:
        detail = f"{message} [property {property_name}]" if property_name else message
        super().__init__(detail, table=table, partition_key=partition_key, row_key=row_key)
        self.property_name = property_name


class InvalidBatch(StateError):
    """An entity-group batch mixes partitions or holds the same entity twice."""


class KeyNotReversible(StateError):
    """A hashed key was asked to be decoded; hashed keys can only be recomputed from the value."""


class LeaseLost(StateError):
    """The caller no longer holds the lease it is acting under (it expired and was taken over)."""


class StateUnavailable(StateError):
    """The storage service failed or could not be reached; worth retrying later."""
