"""Pass-level guards (DESIGN §4): the safety stops before any write, and the delete limit.

Pure (no I/O). A pass first asks `safety_stop`; if it answers, the pass writes nothing and the
project shows the reason. Deletes then go through `limit_deletes`, which holds back whatever
exceeds the project's limit per 24 hours so it can be reported (and emailed), never carried out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

T = TypeVar("T")
DELETE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class ListingFacts:
    """What a pass saw of one side, against what the base says that side holds."""

    side: str
    base_files: int
    listed_files: int
    complete: bool
    folder_resolves: bool = True


@dataclass(frozen=True)
class SafetyStop:
    reason: str


def safety_stop(
    listings: Sequence[ListingFacts],
    deletes: int,
    tracked_items: int,
    max_delete_share: float,
) -> SafetyStop | None:
    """Why this pass must write nothing, or None when it may go ahead."""
    for facts in listings:
        if not facts.folder_resolves:
            return SafetyStop(f"the mapped {facts.side} folder no longer resolves")
        if facts.base_files > 0 and facts.listed_files == 0:
            return SafetyStop(
                f"the {facts.side} listing came back empty where {facts.base_files} files "
                "were synced"
            )
        if not facts.complete:
            return SafetyStop(f"the {facts.side} listing was incomplete")
    if tracked_items > 0 and deletes / tracked_items > max_delete_share:
        return SafetyStop(
            f"{deletes} of {tracked_items} items would be deleted at once "
            f"(more than {max_delete_share:.0%})"
        )
    return None


@dataclass(frozen=True)
class DeleteBudget:
    """How many deletes the project may still carry out in the current 24-hour window."""

    limit: int
    recent: Sequence[datetime]

    def remaining(self, now: datetime) -> int:
        used = sum(1 for at in self.recent if now - at < DELETE_WINDOW)
        return max(self.limit - used, 0)


def limit_deletes(
    deletes: Sequence[T], budget: DeleteBudget, now: datetime
) -> tuple[list[T], list[T]]:
    """Split deletes into those carried out now and those held back (in the given order)."""
    allowed = budget.remaining(now)
    return list(deletes[:allowed]), list(deletes[allowed:])
