"""Plain data the sync decisions work on: one side's view of an item, and the policies.

The decision modules take and return only these types (no clients, no table entities), so they
can be read and tested without any service (STYLE §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Side(StrEnum):
    PROCORE = "procore"
    SHAREPOINT = "sharepoint"


class ConflictPolicy(StrEnum):
    NEWEST_WINS = "newest_wins"
    KEEP_BOTH = "keep_both"


@dataclass(frozen=True)
class ProcoreEntry:
    """A Procore Documents folder or file as listed (API-NOTES A5). Procore exposes no hash."""

    id: int
    name: str
    is_folder: bool
    updated_at: datetime
    size: int = 0
    version_id: int | None = None


@dataclass(frozen=True)
class SharePointEntry:
    """A SharePoint driveItem as listed (API-NOTES B2/B3)."""

    id: str
    name: str
    is_folder: bool
    modified_at: datetime
    size: int = 0
    etag: str = ""
    ctag: str | None = None
    quick_xor: str | None = None
    checked_out: bool = False


def copy_name(name: str, side: Side) -> str:
    """The name a conflict loser is kept under beside the winner (`keep_both` policy), keeping
    its extension: `Plan.pdf` → `Plan (SharePoint copy).pdf`."""
    from shared.sync.names import split_extension

    stem, extension = split_extension(name)
    label = "SharePoint" if side is Side.SHAREPOINT else "Procore"
    return f"{stem} ({label} copy){extension}"
