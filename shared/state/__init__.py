"""The state store (Azure Table Storage): projects, the items' base, drives, work, the log.

See `store.StateStore` for the entry point, `keys` for the key encoding, `limits` for the Azure
rules enforced before any write and `errors` for what callers can catch.
"""

from shared.state.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    EntityNotFound,
    EntityRejected,
    InvalidBatch,
    KeyNotReversible,
    LeaseLost,
    StateError,
    StateUnavailable,
)
from shared.state.store import TABLE_BASES, StateStore

__all__ = [
    "TABLE_BASES",
    "AlreadyExists",
    "ConcurrencyConflict",
    "EntityNotFound",
    "EntityRejected",
    "InvalidBatch",
    "KeyNotReversible",
    "LeaseLost",
    "StateError",
    "StateStore",
    "StateUnavailable",
]
