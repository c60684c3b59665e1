"""A project's Photos on both emulators, and a change pass over them run by hand.

The world is built as users build it: Procore albums and images through the Procore emulator's
`/_emulator/act` API, files and folders through the Graph emulator's actions. Each pass reads
the SharePoint changes from the drive's delta since the previous pass, routes the ones under the
project's Photos folder (as the change pass does, by parent id and by the base), and calls
`photo_pass` with a hand-built `Pass`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devhost.stack import COMPANY, DRIVE, SITE
from shared import runtime
from shared.config import Settings
from shared.graph.models import DriveItem
from shared.procore.scope import Scope
from shared.state import StateStore
from shared.state.items import ItemBase
from shared.state.log import LogEntry
from shared.state.projects import Phase, Project
from shared.sync.pass_context import Pass
from shared.sync.photo_changes import photo_pass
from shared.sync.records import photos_key
from tests.sync.conftest import Sides


@dataclass
class PassResult:
    entries: list[LogEntry]
    deferred: list[str]
    watermark: datetime | None
    items: list[DriveItem]

    def actions(self) -> list[tuple[str, str | None, str | None]]:
        return sorted((e.action.value, e.side, e.name) for e in self.entries)


@dataclass
class PhotoWorld:
    sides: Sides
    project_id: int
    folder: str
    """The project's mapped folder path in the drive, e.g. `/Projects/P1`."""
    photos_folder_id: str
    project: Project
    delta_link: str
    last_items: list[DriveItem] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.sides.settings

    @property
    def store(self) -> StateStore:
        return runtime.state_store()

    @property
    def scope(self) -> Scope:
        return Scope.project(COMPANY, self.project_id)

    @property
    def key(self) -> str:
        return photos_key(self.project.key)

    # --- passes --------------------------------------------------------------------------

    def run(
        self,
        *,
        quiet_period_s: int = 0,
        items: list[DriveItem] | None = None,
        extra: tuple[DriveItem, ...] = (),
    ) -> PassResult:
        """One pass: the SharePoint changes since the last pass (or `items`), then `photo_pass`;
        the cursors move only when the pass deferred nothing, as the caller does."""
        graph = runtime.graph_client()
        new_link = self.delta_link
        if items is None:
            changes: dict[str, DriveItem] = {}
            feed = graph.delta(DRIVE, self.delta_link)
            while True:
                try:
                    item = next(feed)
                except StopIteration as done:
                    new_link = done.value
                    break
                changes[item.id] = item
            items = self._route(list(changes.values())) + list(extra)
        settings = self.settings.model_copy(update={"quiet_period_s": quiet_period_s})
        current = Pass(settings=settings, store=self.store, project=self.project)
        mark = photo_pass(current, items)
        if not current.deferred:
            self.delta_link = new_link
            if mark is not None:
                self.project = self.project.model_copy(update={"photo_watermark": mark})
        self.last_items = items
        return PassResult(current.entries, current.deferred, mark, items)

    def _route(self, changes: list[DriveItem]) -> list[DriveItem]:
        """The delta items below Photos, parents first; deletes recognised through the base."""
        rows = list(self.store.items.list_items(self.key))
        known = {self.photos_folder_id} | {r.sharepoint_id for r in rows if r.kind == "folder"}
        ids = {r.sharepoint_id for r in rows}
        routed: list[DriveItem] = []
        pending = [c for c in changes if c.id != self.photos_folder_id]
        progress = True
        while pending and progress:
            progress = False
            rest = []
            for item in pending:
                parent = item.parent_reference.id if item.parent_reference else None
                if item.id in ids or (not item.is_deleted and parent in known):
                    routed.append(item)
                    if item.is_folder and not item.is_deleted:
                        known.add(item.id)
                    progress = True
                else:
                    rest.append(item)
            pending = rest
        return routed

    # --- the base and the sides ----------------------------------------------------------

    def base(self) -> list[ItemBase]:
        return sorted(self.store.items.list_items(self.key), key=lambda r: r.path)

    def base_view(self) -> list[tuple[Any, ...]]:
        return [
            (
                r.kind.value,
                r.path,
                r.procore_id,
                r.sharepoint_id,
                r.sharepoint_name,
                r.quick_xor_hash,
            )
            for r in self.base()
        ]

    def sharepoint_tree(self) -> dict[str, dict[str, Any]]:
        """Every item below Photos by its path relative to it."""
        return {i["rel"]: i for i in self.sides.graph.tree(f"{self.folder}/Photos")}

    def sharepoint_bytes(self, rel: str) -> bytes:
        return self.sides.graph.content(f"{self.folder}/Photos/{rel}")

    def procore_albums(self) -> dict[str, int]:
        return {a.name: a.id for a in runtime.procore_client().list_albums(self.scope)}

    def procore_photos(self) -> dict[str, dict[str, Any]]:
        """`album/filename` → image JSON for every live image."""
        procore = runtime.procore_client()
        albums = {a.id: a.name for a in procore.list_albums(self.scope)}
        return {
            f"{albums.get(i.image_category_id or 0, '?')}/{i.filename}": i.model_dump()
            for i in procore.list_photos(self.scope)
        }

    def procore_bytes(self, image_id: int) -> bytes:
        response = self.sides.procore.http.get(f"/images/{image_id}/content")
        assert response.status_code == 200, response.text
        return response.content

    def assert_in_sync(self) -> None:
        """Both sides hold the same albums and photos, byte for byte, and the base pairs them."""
        tree = self.sharepoint_tree()
        photos = self.procore_photos()
        sp_files = {rel for rel, i in tree.items() if not i["folder"]}
        assert sp_files == set(photos), (sp_files, set(photos))
        assert {rel for rel, i in tree.items() if i["folder"]} == set(self.procore_albums())
        for rel, image in photos.items():
            assert self.sharepoint_bytes(rel) == self.procore_bytes(image["id"]), rel
        rows = {(r.procore_id, r.sharepoint_id) for r in self.base() if r.kind == "file"}
        assert rows == {(i["id"], tree[rel]["id"]) for rel, i in photos.items()}

    def assert_settled(self) -> None:
        """Another pass over the same input, and one over the changes since, change nothing."""
        before = (self.base_view(), self.sharepoint_tree(), self.procore_photos())
        again = self.run(items=self.last_items)
        assert [e for e in again.entries if e.action.value != "skipped"] == [], again.actions()
        assert again.deferred == []
        after_changes = self.run()
        assert after_changes.entries == [] and after_changes.deferred == []
        assert (self.base_view(), self.sharepoint_tree(), self.procore_photos()) == before

    # --- acting as users -----------------------------------------------------------------

    def procore_act(self, method: str, route: str, body: Any = None) -> Any:
        return self.sides.procore.call(method, f"/act/{route}", body)

    def add_procore_photo(self, album_id: int, filename: str, content: bytes) -> dict[str, Any]:
        return dict(
            self.procore_act(
                "POST",
                "images",
                {
                    "project_id": self.project_id,
                    "image_category_id": album_id,
                    "filename": filename,
                    "content_b64": base64.b64encode(content).decode(),
                },
            )
        )

    def sharepoint_act(self, action: str, rel: str, **fields: Any) -> Any:
        return self.sides.graph.act(action=action, path=f"{self.folder}/Photos/{rel}", **fields)


def make_world(
    sides: Sides, project_id: int, albums: dict[str, dict[str, int]]
) -> tuple[PhotoWorld, dict[str, Any]]:
    """A project whose Procore albums are `albums` and whose SharePoint Photos folder is empty,
    then the first pass, which copies every album and photo to SharePoint (the baseline)."""
    seeded = sides.procore.seed_project(
        project_id, f"Photo Project {project_id}", {}, photos=albums
    )
    folder = f"/Projects/P{project_id}"
    made = sides.graph.seed({"Projects": {f"P{project_id}": {"Photos": {}}}})
    photos_id = made[f"{folder}/Photos"]
    project = Project(
        company_id=COMPANY,
        project_id=project_id,
        project_name=f"Photo Project {project_id}",
        site_id=SITE,
        drive_id=DRIVE,
        folder_path=folder.lstrip("/"),
        folder_item_id=made[folder],
        phase=Phase.REGULAR,
        tool_folder_ids={"photos": photos_id},
    )
    link = runtime.graph_client().latest_delta_link(DRIVE)
    world = PhotoWorld(sides, project_id, folder, photos_id, project, link)
    return world, seeded
