"""The regular sync's scenario harness: a synced baseline per scenario, changes made through the
emulators' control APIs as users would, then the app left to run until both sides agree.

Each scenario gets its own Procore project and SharePoint folder (`/Scenarios/<name>`) on the
shared stack, so scenarios do not see each other's files (they share the drive, as projects of
one company do, which also exercises the drive's one delta cursor serving many projects).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.graph.client import GraphClient
from shared.intake.procore_hooks import HookRegistrar
from shared.intake.project_intake import ProjectIntake
from shared.intake.subscriptions import SubscriptionKeeper
from shared.procore.client import ProcoreClient
from shared.queues import DELTA_PULL, PROJECT_TICK, DeltaPull, ProjectTick, QueueSender
from shared.state import StateStore
from shared.state.log import LogAction, LogEntry
from shared.state.projects import Phase, Project
from shared.storage import queue_service
from shared.sync.names import MappedName, sharepoint_name
from tests.e2e.stack import DRIVE, Stack, failed_invocations, poll

ROOT = "Scenarios"
WRITES = {
    LogAction.COPIED,
    LogAction.UPDATED,
    LogAction.MOVED,
    LogAction.RENAMED,
    LogAction.DELETED,
    LogAction.RESTORED,
    LogAction.CONFLICT,
}
_ids = itertools.count(4300070001)


def mapped_path(path: str, folder_names: set[str]) -> str:
    """A Procore path as SharePoint holds it (each segment mapped as the app maps names)."""
    parts = []
    for index, segment in enumerate(path.split("/")):
        prefix = "/".join(path.split("/")[: index + 1])
        mapped = sharepoint_name(segment, is_folder=prefix in folder_names)
        parts.append(mapped.name if isinstance(mapped, MappedName) else segment)
    return "/".join(parts)


@dataclass
class Recoverable:
    """Contents still on record: `kept` as the current bytes or a prior version of a live file
    on either side, `recycled` only as (a version of) a file in a recycle bin."""

    kept: set[bytes]
    recycled: set[bytes]


@dataclass
class Synced:
    """One scenario's project, synced and idle."""

    stack: Stack
    project: Project
    procore_project: int
    seeded: dict[str, Any]

    @property
    def key(self) -> str:
        return self.project.key

    @property
    def sp_base(self) -> str:
        """The Documents folder's path in the drive."""
        return f"/{self.project.folder_path}/Documents"

    # --- the two trees --------------------------------------------------------------------------

    def procore_items(self) -> dict[str, dict[str, Any]]:
        """Live Procore items by path (items inside a deleted folder are not live)."""
        items = self.stack.procore.call("GET", f"/projects/{self.procore_project}/tree")["items"]
        deleted = [i["path"] + "/" for i in items if i["type"] == "folder" and i["is_deleted"]]
        return {
            i["path"]: i
            for i in items
            if not i["is_deleted"] and not any(i["path"].startswith(d) for d in deleted)
        }

    def sharepoint_items(self) -> dict[str, dict[str, Any]]:
        return {i["rel"]: i for i in self.stack.graph.tree(self.sp_base)}

    def procore_as_sharepoint(self) -> dict[str, str]:
        """Procore's live paths mapped to SharePoint names: file or folder."""
        items = self.procore_items()
        folders = {p for p, i in items.items() if i["type"] == "folder"}
        return {
            mapped_path(p, folders): ("folder" if i["type"] == "folder" else "file")
            for p, i in items.items()
        }

    def sharepoint_shape(self) -> dict[str, str]:
        return {
            p: ("folder" if i["folder"] else "file") for p, i in self.sharepoint_items().items()
        }

    def trees_agree(self) -> bool:
        return self.procore_as_sharepoint() == self.sharepoint_shape()

    def procore_id(self, path: str) -> int:
        return int(self.procore_items()[path]["id"])

    def procore_content(self, path: str) -> bytes:
        return self.stack.procore.content(self.procore_id(path))

    def procore_versions(self, path: str) -> list[dict[str, Any]]:
        return list(self.stack.procore.call("GET", f"/files/{self.procore_id(path)}")["versions"])

    def sharepoint_content(self, rel: str) -> bytes:
        return self.stack.graph.content(f"{self.sp_base}/{rel}")

    def sharepoint_versions(self, rel: str) -> list[dict[str, Any]]:
        return list(
            self.stack.graph.call("GET", f"/drives/{DRIVE}/versions", path=f"{self.sp_base}/{rel}")
        )

    def contents_agree(self) -> bool:
        """Every live Procore file has a SharePoint counterpart (by mapped path) with the same
        bytes. A file that vanishes while it is read counts as disagreement, not as an error."""
        items = self.procore_items()
        folders = {p for p, i in items.items() if i["type"] == "folder"}
        sharepoint = self.sharepoint_items()
        for path, item in items.items():
            if item["type"] != "file":
                continue
            rel = mapped_path(path, folders)
            if rel not in sharepoint or sharepoint[rel]["size"] != item["size"]:
                return False
            ours = self.stack.procore.http.get(f"/files/{item['id']}/content")
            theirs = self.stack.graph.http.get(
                f"/drives/{DRIVE}/content", params={"path": f"{self.sp_base}/{rel}"}
            )
            if ours.status_code != 200 or theirs.status_code != 200:
                return False
            if ours.content != theirs.content:
                return False
        return True

    def recoverable_contents(self) -> Recoverable:
        """Every content a user can still get back on either side: each version of every
        Procore file of the project, each version of every SharePoint file under the Documents
        folder, live or in the recycle bin."""
        found = Recoverable(set(), set())
        procore = self.stack.procore
        live = {int(i["id"]) for i in self.procore_items().values()}
        tree = procore.call("GET", f"/projects/{self.procore_project}/tree")["items"]
        for item in tree:
            if item["type"] != "file":
                continue
            into = found.kept if int(item["id"]) in live else found.recycled
            for version in procore.call("GET", f"/files/{item['id']}")["versions"]:
                into.add(
                    procore.http.get(
                        f"/files/{item['id']}/content", params={"version": version["number"]}
                    ).content
                )
        graph = self.stack.graph
        for item in self.sharepoint_items().values():
            if item["folder"]:
                continue
            path = f"{self.sp_base}/{item['rel']}"
            for version in graph.call("GET", f"/drives/{DRIVE}/versions", path=path):
                found.kept.add(
                    graph.http.get(
                        f"/drives/{DRIVE}/versions/{version['id']}/content", params={"path": path}
                    ).content
                )
        for recycled in graph.call("GET", f"/drives/{DRIVE}/recycle-bin/files"):
            if not recycled["path"].startswith(self.sp_base + "/"):
                continue
            for version in recycled["versions"]:
                route = (
                    f"/drives/{DRIVE}/recycle-bin/files/{recycled['id']}"
                    f"/versions/{version['id']}/content"
                )
                found.recycled.add(graph.http.get(route).content)
        return found

    # --- acting as users ------------------------------------------------------------------------

    def sp(self, action: str, rel: str, **fields: Any) -> Any:
        return self.stack.graph.act(action=action, path=f"{self.sp_base}/{rel}", **fields)

    def procore_folder_id(self, path: str) -> int:
        if path == "":
            return int(self.seeded["root_folder_id"])
        return self.procore_id(path)

    def procore_create(self, path: str, content: str) -> dict[str, Any]:
        parent, _, name = path.rpartition("/")
        return dict(
            self.stack.procore.call(
                "POST",
                "/act/files",
                {
                    "project_id": self.procore_project,
                    "parent_id": self.procore_folder_id(parent),
                    "name": name,
                    "content": content,
                },
            )
        )

    def procore_edit(self, path: str, content: str) -> None:
        self.stack.procore.call(
            "PATCH", f"/act/files/{self.procore_id(path)}", {"content": content}
        )

    def procore_rename(self, path: str, name: str) -> None:
        kind = "folders" if self.procore_items()[path]["type"] == "folder" else "files"
        self.stack.procore.call("PATCH", f"/act/{kind}/{self.procore_id(path)}", {"name": name})

    def procore_move(self, path: str, parent: str) -> None:
        kind = "folders" if self.procore_items()[path]["type"] == "folder" else "files"
        self.stack.procore.call(
            "PATCH",
            f"/act/{kind}/{self.procore_id(path)}",
            {"parent_id": self.procore_folder_id(parent)},
        )

    def procore_delete(self, path: str) -> None:
        kind = "folders" if self.procore_items()[path]["type"] == "folder" else "files"
        self.stack.procore.call("DELETE", f"/act/{kind}/{self.procore_id(path)}")

    # --- the app's side -------------------------------------------------------------------------

    def store(self) -> StateStore:
        return self.stack.store()

    def log(self) -> list[LogEntry]:
        return self.store().log.recent(self.key, 500)

    def writes_logged(self) -> list[LogEntry]:
        return [e for e in self.log() if e.action in WRITES]

    def settle(self, what: str, done: Callable[[], bool], deadline_s: float = 60) -> None:
        """Wait until `done` holds, no pass is running (a pass writes its log lines last) and
        nothing is left pending for the project."""

        def probe() -> bool:
            store = self.store()
            idle = store.projects.get(self.key).pass_owner is None
            return done() and idle and store.pending.count(self.key) == 0

        try:
            poll(what, probe, deadline_s, 0.25)
        except AssertionError as exc:
            lines = [
                f"{e.action.value} {e.side} {e.name} {e.reason or ''}" for e in self.log()[:12]
            ]
            raise AssertionError(
                f"{exc}\nfailed invocations: {failed_invocations(self.stack)[-5:]}"
                f"\nprocore: {sorted(self.procore_as_sharepoint())}"
                f"\nsharepoint: {sorted(self.sharepoint_shape())}"
                f"\npending: {self.store().pending.count(self.key)}"
                "\nlog (newest first):\n  " + "\n  ".join(lines)
            ) from None

    def quiesce(self, deadline_s: float = 60) -> None:
        """Wait until the app has nothing in flight: no tick or pull queued (delayed ones
        included), no pass or pull running."""
        service = queue_service(self.stack.settings)
        store = self.store()

        def idle() -> bool:
            queued = sum(
                service.get_queue_client(name).get_queue_properties().approximate_message_count
                for name in (PROJECT_TICK, DELTA_PULL)
            )
            project = store.projects.get(self.key)
            drive = store.drives.find(DRIVE)
            return (
                queued == 0
                and project.pass_owner is None
                and not project.pass_again
                and (drive is None or drive.lease_owner is None)
            )

        poll("the app to have nothing in flight", idle, deadline_s, 0.25)

    def run_pass(self, deadline_s: float = 30) -> Project:
        """Ask for a delta pull, then a pass, as the safety net would, and wait for the pass."""
        store = self.store()
        before = store.projects.get(self.key).last_pass_at or datetime.min.replace(tzinfo=UTC)
        sender = QueueSender(queue_service(self.stack.settings))
        pulled_before = store.drives.get(DRIVE).delta_link_at
        sender.send(DeltaPull(drive_id=DRIVE, reason="test"))
        poll(
            "a delta pull",
            lambda: store.drives.get(DRIVE).delta_link_at != pulled_before,
            deadline_s,
            0.1,
        )
        sender.send(ProjectTick(project_key=self.key, tick_id=uuid.uuid4().hex, reason="test"))

        def passed() -> Project | None:
            project = store.projects.get(self.key)
            done = project.last_pass_at is not None and project.last_pass_at > before
            return project if done and project.pass_owner is None else None

        return poll("a change pass", passed, deadline_s, 0.2)

    def assert_quiet(self) -> None:
        """A further pass changes nothing on either side and logs no write."""
        sp_before = {p: i["eTag"] for p, i in self.sharepoint_items().items()}
        procore_before = {p: i.get("version") for p, i in self.procore_items().items()}
        logged = len(self.writes_logged())
        self.run_pass()
        assert {p: i["eTag"] for p, i in self.sharepoint_items().items()} == sp_before
        assert {p: i.get("version") for p, i in self.procore_items().items()} == procore_before
        assert len(self.writes_logged()) == logged, self.writes_logged()[
            : len(self.writes_logged()) - logged
        ]


def baseline(
    stack: Stack,
    name: str,
    documents: dict[str, Any],
    photos: dict[str, Any] | None = None,
    **fields: Any,
) -> Synced:
    """Seed a Procore project, connect it to a fresh folder, and wait until it is synced and
    its closing pass has run (the regular sync has taken over)."""
    project_id = next(_ids)
    seeded = stack.procore.seed_project(project_id, name, documents, photos)
    stack.graph.act(action="create", path=f"/{ROOT}/{name}", folder=True)
    project = stack.connect(project_id, name, f"{ROOT}/{name}", **fields)
    settings = stack.settings
    store = stack.store()
    ProjectIntake(
        store,
        HookRegistrar(ProcoreClient(settings), settings),
        SubscriptionKeeper(GraphClient(settings), store.drives, settings),
    ).connected(project)
    stack.wait_for_phase(project.key, Phase.REGULAR)
    poll(
        "the closing pass",
        lambda: store.projects.get(project.key).last_pass_at is not None,
        60,
    )
    synced = Synced(stack, store.projects.get(project.key), project_id, seeded)
    synced.settle("the baseline to be synced", synced.trees_agree)
    return synced
