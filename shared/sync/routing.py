"""Which project (and which of its trees) a SharePoint delta item belongs to.

Delta carries no paths (API-NOTES B3), so an item is placed by ids: it belongs to a project when
the project's base knows the item itself, or when its parent is one of the project's tool
folders, a folder the base knows, or a folder placed earlier in the same batch (a new folder
with new files in it arrives together). A deleted item carries no parent, so only the base can
place it. Items of no project (files outside the mapped folders) are left alone.

The rules are pure; what the base knows comes in through `Known`, so the drive pull can answer
it with point reads (a few changes) or with preloaded sets (a full re-enumeration).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from shared.graph.models import DriveItem
from shared.state.pending import Area


class Known(Protocol):
    def item_area(self, item_id: str) -> Area | None:
        """The tree whose base holds this driveItem (file or folder), if any."""
        ...

    def folder_area(self, folder_id: str) -> Area | None:
        """The tree whose base holds this driveItem as a folder, if any."""
        ...


@dataclass(frozen=True)
class Roots:
    """A project's tool folders in SharePoint (driveItem ids)."""

    documents: str | None = None
    photos: str | None = None
    project_folder: str | None = None

    def area_below(self, parent_id: str | None) -> Area | None:
        if parent_id is None:
            return None
        if parent_id == self.documents:
            return Area.DOCUMENTS
        if parent_id == self.photos:
            return Area.PHOTOS
        return None

    def ids(self) -> set[str]:
        return {i for i in (self.documents, self.photos, self.project_folder) if i}


@dataclass
class Routed:
    """The project's share of a batch: items per tree in the order they must be applied, and
    whether one of the project's own folders changed (the pass must check it still resolves)."""

    items: dict[Area, list[DriveItem]] = field(default_factory=dict)
    roots_touched: list[DriveItem] = field(default_factory=list)

    def add(self, area: Area, item: DriveItem) -> None:
        self.items.setdefault(area, []).append(item)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.items.values()) + len(self.roots_touched)


def route(batch: Iterable[DriveItem], roots: Roots, known: Known) -> Routed:
    """Place each item of `batch` (latest state per id) in the project, parents first."""
    routed = Routed()
    placed_folders: dict[str, Area] = {}
    pending: list[DriveItem] = []
    for item in batch:
        if item.id in roots.ids():
            routed.roots_touched.append(item)
            continue
        pending.append(item)
    progress = True
    while pending and progress:
        progress = False
        rest: list[DriveItem] = []
        for item in pending:
            area = _place(item, roots, known, placed_folders)
            if area is None:
                rest.append(item)
                continue
            routed.add(area, item)
            if item.is_folder and not item.is_deleted:
                placed_folders[item.id] = area
            progress = True
        pending = rest
    return routed


def _place(
    item: DriveItem, roots: Roots, known: Known, placed_folders: dict[str, Area]
) -> Area | None:
    area = known.item_area(item.id)
    if area is not None:
        return area
    if item.is_deleted:
        return None
    parent = item.parent_reference.id if item.parent_reference else None
    if parent is None:
        return None
    return roots.area_below(parent) or placed_folders.get(parent) or known.folder_area(parent)
