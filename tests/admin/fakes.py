"""Stand-ins for the Procore and Graph clients and the queue sender, for the service-layer tests.

They answer from plain dicts and raise the clients' own exception types, so the access checks
and the service see exactly what the real clients would give them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from shared.errors import ApiError, InvalidRequest, NotFound, PermissionDenied
from shared.graph.models import Drive, DriveItem, Site
from shared.procore.models import FolderListing
from shared.procore.projects import ProcoreProject
from shared.procore.scope import Scope
from shared.queues import QueueMessage

COMPANY = 4300000001
PROJECT = 4300000101
OTHER_PROJECT = 4300000103
FORBIDDEN_PROJECT = 4300000102
HOST = "contoso.sharepoint.com"
SITE_PATH = "/sites/Construction"
SITE_ID = "contoso.sharepoint.com,site-1,web-1"
LIBRARY = "Documents"
DRIVE_ID = "b!documents"


@dataclass
class FakeProcore:
    """Projects by id (a name, or the exception their GET raises); the Documents root answers
    unless `documents_error` is set. `gate`, when set, is waited on by the first call."""

    projects: dict[int, str | ApiError] = field(
        default_factory=lambda: {
            PROJECT: "Harbor View Tower",
            OTHER_PROJECT: "Dockside Offices",
            FORBIDDEN_PROJECT: PermissionDenied("403", service="procore", status=403),
        }
    )
    documents_error: ApiError | None = None
    gate: threading.Barrier | None = None
    calls: list[str] = field(default_factory=list)

    def _enter(self, call: str) -> None:
        self.calls.append(call)
        if self.gate is not None:
            gate, self.gate = self.gate, None
            gate.wait()

    def get_project(self, scope: Scope) -> ProcoreProject:
        self._enter(f"get_project {scope.project_id}")
        answer = self.projects.get(scope.require_project())
        if answer is None:
            raise NotFound("404", service="procore", status=404)
        if isinstance(answer, ApiError):
            raise answer
        return ProcoreProject(id=scope.require_project(), name=answer)

    def get_folder(
        self, scope: Scope, folder_id: int | None = None, *, latest_version_only: bool = True
    ) -> FolderListing:
        self._enter("get_folder root")
        if self.documents_error is not None:
            raise self.documents_error
        return FolderListing(id=1, name="")


@dataclass
class FakeSharePoint:
    """Sites by (host, path), libraries by site, folders by (drive, path); writes succeed
    unless `create_error`/`delete_error` is set. `gate` as for FakeProcore."""

    sites: dict[tuple[str, str], str] = field(
        default_factory=lambda: {(HOST, SITE_PATH.casefold()): SITE_ID}
    )
    drives: dict[str, dict[str, str]] = field(
        default_factory=lambda: {SITE_ID: {LIBRARY.casefold(): DRIVE_ID}}
    )
    folders: dict[tuple[str, str], str] = field(
        default_factory=lambda: {
            (DRIVE_ID, ""): "root-id",
            (DRIVE_ID, "projects"): "projects-id",
            (DRIVE_ID, "projects/harbor view"): "harbor-id",
            (DRIVE_ID, "projects/dockside"): "dockside-id",
        }
    )
    files: set[tuple[str, str]] = field(default_factory=set)
    create_error: ApiError | None = None
    delete_error: ApiError | None = None
    gate: threading.Barrier | None = None
    created: list[tuple[str, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def _enter(self) -> None:
        if self.gate is not None:
            gate, self.gate = self.gate, None
            gate.wait()

    def get_site(self, hostname: str, path: str = "") -> Site:
        self._enter()
        site_id = self.sites.get((hostname, path.casefold()))
        if site_id is None:
            raise NotFound("itemNotFound", service="graph", status=404)
        return Site(id=site_id)

    def get_drive_by_name(self, site_id: str, name: str) -> Drive:
        drive_id = self.drives.get(site_id, {}).get(name.casefold())
        if drive_id is None:
            raise NotFound(f"no library {name}", service="graph", status=404)
        return Drive(id=drive_id, name=name)

    def get_folder_by_path(self, drive_id: str, path: str) -> DriveItem:
        if (drive_id, path.casefold()) in self.files:
            raise InvalidRequest("a file", service="graph")
        item_id = self.folders.get((drive_id, path.casefold()))
        if item_id is None:
            raise NotFound("itemNotFound", service="graph", status=404)
        return DriveItem.model_validate({"id": item_id, "name": path, "folder": {}})

    def create_folder(self, drive_id: str, parent_id: str, name: str) -> DriveItem:
        if self.create_error is not None:
            raise self.create_error
        self.created.append((parent_id, name))
        return DriveItem.model_validate({"id": f"probe-{len(self.created)}", "name": name})

    def delete_item(self, drive_id: str, item_id: str, *, if_match: str | None = None) -> None:
        if self.delete_error is not None:
            raise self.delete_error
        self.deleted.append(item_id)


@dataclass
class RecordingSender:
    """A queue sender that keeps what it was given (or fails with `error`)."""

    sent: list[QueueMessage] = field(default_factory=list)
    error: Exception | None = None

    def send(self, message: QueueMessage, *, delay_s: float = 0) -> str:
        if self.error is not None:
            raise self.error
        self.sent.append(message)
        return f"message-{len(self.sent)}"
