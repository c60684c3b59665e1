"""One delta pull of a SharePoint drive, for every project on it (DESIGN §5).

A change notification (or the safety-net timer) asks for a pull of a drive. One cursor (the
Drives row's delta link) serves all the drive's projects, and the drive's lease lets only one
pull run at a time; a pull that finds the lease taken comes back a few seconds later, so a
notification that arrived mid-pull is never lost. The pull reads the feed since the cursor,
places each item in the project it belongs to (`shared.sync.routing`), records it as pending for
that project (`shared.state.pending`), stores the new cursor (the changes are queued, DESIGN §4),
and asks each project that received something for a pass.

A 410 Gone (the token expired, API-NOTES B3) restarts from a full enumeration: every item is
handed over again (those unchanged compare equal to their base and cost nothing), and base
items the enumeration no longer holds are handed over as deleted.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from shared import runtime
from shared.graph.client import GraphClient
from shared.graph.failures import DeltaResyncRequired
from shared.graph.models import DriveItem
from shared.queues import DeltaPull, ProjectTick
from shared.state import StateStore
from shared.state.items import ItemKind
from shared.state.log import LogAction
from shared.state.pending import Area, PendingChange
from shared.state.projects import Phase, Project
from shared.sync.handling import defer
from shared.sync.records import photos_key
from shared.sync.routing import Roots, Routed, route

log = logging.getLogger("sync")

PULL_LEASE = timedelta(minutes=10)
BUSY_RETRY_S = 5
POINT_READ_LIMIT = 200
"""Up to this many changes, the base is asked item by item; beyond, it is read whole once."""


def receives_changes(project: Project) -> bool:
    """Whether a project takes its SharePoint changes from the drive's pulls: in the regular
    sync, or paused or stopped from it (the changes wait for it)."""
    if project.phase in (Phase.REGULAR, Phase.ERROR):
        return project.initial_sync_finished_at is not None
    return project.phase is Phase.PAUSED and project.paused_from is Phase.REGULAR


def roots_of(project: Project) -> Roots:
    return Roots(
        documents=project.tool_folder_ids.get("documents"),
        photos=project.tool_folder_ids.get("photos"),
        project_folder=project.folder_item_id,
    )


class PointReads:
    """What the base knows, asked one id at a time (cached for the pull)."""

    def __init__(self, store: StateStore, project_key: str) -> None:
        self.store = store
        self.key = project_key
        self._seen: dict[str, tuple[Area, bool] | None] = {}

    def _look(self, item_id: str) -> tuple[Area, bool] | None:
        if item_id not in self._seen:
            found: tuple[Area, bool] | None = None
            for area, partition in (
                (Area.DOCUMENTS, self.key),
                (Area.PHOTOS, photos_key(self.key)),
            ):
                base = self.store.items.find_by_sharepoint(partition, item_id)
                if base is not None:
                    found = (area, base.kind == ItemKind.FOLDER)
                    break
            self._seen[item_id] = found
        return self._seen[item_id]

    def item_area(self, item_id: str) -> Area | None:
        found = self._look(item_id)
        return found[0] if found else None

    def folder_area(self, folder_id: str) -> Area | None:
        found = self._look(folder_id)
        return found[0] if found and found[1] else None


class WholeBase:
    """What the base knows, read whole once (for a large batch or a re-enumeration)."""

    def __init__(self, store: StateStore, project_key: str) -> None:
        self.items: dict[str, tuple[Area, bool]] = {}
        for area, partition in (
            (Area.DOCUMENTS, project_key),
            (Area.PHOTOS, photos_key(project_key)),
        ):
            for base in store.items.list_items(partition):
                self.items[base.sharepoint_id] = (area, base.kind == ItemKind.FOLDER)

    def item_area(self, item_id: str) -> Area | None:
        found = self.items.get(item_id)
        return found[0] if found else None

    def folder_area(self, folder_id: str) -> Area | None:
        found = self.items.get(folder_id)
        return found[0] if found and found[1] else None


def pull(message: DeltaPull) -> None:
    store = runtime.state_store()
    projects = [
        p
        for p in store.projects.list_projects()
        if p.drive_id == message.drive_id and receives_changes(p)
    ]
    if not projects:
        return
    owner = uuid.uuid4().hex
    lease = store.drives.acquire_lease(message.drive_id, owner, PULL_LEASE)
    if lease is None:
        defer(message, BUSY_RETRY_S, "another pull of this drive is running")
        return
    try:
        drive = store.drives.get(message.drive_id)
        graph = runtime.graph_client()
        link = drive.delta_link or _starting_link(projects)
        if link is None:
            store.drives.store_delta_link(lease, graph.latest_delta_link(message.drive_id))
            return
        resync = False
        try:
            changes, new_link = read_feed(graph, message.drive_id, link)
        except DeltaResyncRequired as exc:
            log.warning(
                "delta token expired; re-enumerating the drive",
                extra={"drive_id": message.drive_id, "operation": "delta_resync"},
            )
            changes, new_link = read_feed(graph, message.drive_id, exc.resync_link)
            resync = True
        lease = store.drives.renew_lease(lease, PULL_LEASE)
        ticked = hand_over(store, projects, changes, resync=resync)
        store.drives.store_delta_link(lease, new_link)
    finally:
        store.drives.release_lease(lease)
    sender = runtime.queue_sender()
    for project in ticked:
        if project.phase is Phase.REGULAR:
            sender.send(
                ProjectTick(project_key=project.key, tick_id=uuid.uuid4().hex, reason="delta")
            )


def _starting_link(projects: list[Project]) -> str | None:
    """With no drive cursor yet, start from the project cursor that is furthest behind (the
    one whose last pass is oldest), so no project misses a change."""
    ordered = sorted(projects, key=lambda p: p.last_pass_at or datetime.min.replace(tzinfo=UTC))
    for project in ordered:
        if project.delta_link or project.initial_delta_link:
            return project.delta_link or project.initial_delta_link
    return None


def read_feed(
    graph: GraphClient, drive_id: str, link: str | None
) -> tuple[dict[str, DriveItem], str]:
    """The latest state of every item the feed shows since `link` (None: the whole drive)."""
    changes: dict[str, DriveItem] = {}
    feed: Iterator[DriveItem] = graph.delta(drive_id, link)
    while True:
        try:
            item = next(feed)
        except StopIteration as done:
            return changes, str(done.value)
        changes.pop(item.id, None)
        changes[item.id] = item


def hand_over(
    store: StateStore, projects: list[Project], changes: dict[str, DriveItem], *, resync: bool
) -> list[Project]:
    """Record each change as pending for the projects it belongs to; the projects that got any."""
    now = datetime.now(UTC)
    receiving: list[Project] = []
    for project in projects:
        routed = route_for(store, project, changes, whole=resync)
        rows = pending_rows(project, routed, now)
        if resync:
            rows.extend(_vanished(store, project, changes, now))
        if not rows:
            continue
        store.pending.put_many(project.key, rows)
        receiving.append(project)
        if resync:
            store.log.append_many(
                [
                    store.log.entry(
                        project.key,
                        LogAction.INFO,
                        side="sharepoint",
                        reason="SharePoint's change feed expired (410 Gone); the drive was "
                        f"enumerated again and {len(rows)} item(s) are compared with the base",
                    )
                ]
            )
        log.info(
            "changes handed over",
            extra={"project_key": project.key, "count": len(rows), "operation": "delta_pull"},
        )
    return receiving


def route_for(
    store: StateStore, project: Project, changes: dict[str, DriveItem], *, whole: bool = False
) -> Routed:
    large = whole or len(changes) > POINT_READ_LIMIT
    known = WholeBase(store, project.key) if large else PointReads(store, project.key)
    return route(changes.values(), roots_of(project), known)


def pending_rows(project: Project, routed: Routed, now: datetime) -> list[PendingChange]:
    rows = [pending_row(item, area, now) for area, items in routed.items.items() for item in items]
    photos_root = project.tool_folder_ids.get("photos")
    rows.extend(
        pending_row(item, Area.PHOTOS if item.id == photos_root else Area.DOCUMENTS, now)
        for item in routed.roots_touched
    )
    return rows


def pending_row(item: DriveItem, area: Area, now: datetime) -> PendingChange:
    return PendingChange(
        item_id=item.id,
        area=area,
        item_json=item.model_dump_json(by_alias=True, exclude_none=True),
        seen_at=now,
    )


def _vanished(
    store: StateStore, project: Project, changes: dict[str, DriveItem], now: datetime
) -> list[PendingChange]:
    """Base items a full enumeration no longer holds: deleted while the feed was lost."""
    gone: list[PendingChange] = []
    for area, partition in ((Area.DOCUMENTS, project.key), (Area.PHOTOS, photos_key(project.key))):
        for base in store.items.list_items(partition):
            if base.sharepoint_id not in changes:
                gone.append(pending_row(DriveItem(id=base.sharepoint_id, deleted={}), area, now))
    return gone
