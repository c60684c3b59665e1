"""The emulator's world: companies, projects, Documents trees, photos, tool items, hooks.

Plain records with slots (a 100,000-file seed must stay small in memory). Ids are int64 and start
above 2^32 on purpose (API-NOTES A1: ids in new regions exceed 32 bits).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from emulators.procore.content import Content

FIRST_ID = 4_300_100_001
FIRST_EVENT_ID = 4_300_900_001

SERVICE_USER_ID = 4_300_000_501
SERVICE_APPLICATION_ID = 4_300_000_601
HUMAN_USER_ID = 4_300_000_502

USERS: dict[int, dict[str, Any]] = {
    SERVICE_USER_ID: {
        "id": SERVICE_USER_ID,
        "login": "sync-service@contoso.example",
        "name": "Sync Service Account",
    },
    HUMAN_USER_ID: {
        "id": HUMAN_USER_ID,
        "login": "pat.builder@contoso.example",
        "name": "Pat Builder",
    },
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: the app (through the API) or a person (through the control API)."""

    user_id: int
    application_id: int | None


APP_ACTOR = Actor(SERVICE_USER_ID, SERVICE_APPLICATION_ID)
HUMAN_ACTOR = Actor(HUMAN_USER_ID, None)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a Documents tree lives: a project, or the company level (project_id None)."""

    company_id: int
    project_id: int | None

    @property
    def kind(self) -> str:
        return "Project" if self.project_id is not None else "Company"


@dataclass(slots=True)
class Client:
    client_id: str
    client_secret: str


@dataclass(slots=True)
class Token:
    client_id: str
    created_at: float
    expires_at: float
    revoked: bool = False


@dataclass(slots=True)
class Company:
    id: int
    name: str
    root_folder_id: int = 0


@dataclass(slots=True)
class Project:
    id: int
    company_id: int
    name: str
    permitted: bool
    root_folder_id: int = 0
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(slots=True)
class Blob:
    """A body behind a `/prostore/blobs/{id}` URL."""

    id: int
    content: Content
    filename: str


@dataclass(slots=True)
class Version:
    id: int
    file_id: int
    number: int
    blob_id: int
    size: int
    notes: str
    created_at: float
    created_by: int


@dataclass(slots=True)
class Folder:
    id: int
    scope: Scope
    name: str
    parent_id: int | None
    private: bool
    created_at: float
    updated_at: float
    is_deleted: bool = False
    is_tracked: bool = False
    folder_ids: list[int] = field(default_factory=list)
    file_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class File:
    id: int
    scope: Scope
    name: str
    parent_id: int
    private: bool
    description: str
    created_at: float
    updated_at: float
    versions: list[Version] = field(default_factory=list)
    is_deleted: bool = False
    checked_out_by: int | None = None
    checked_out_until: str | None = None

    @property
    def latest(self) -> Version:
        return self.versions[-1]


@dataclass(slots=True)
class Album:
    """An image category."""

    id: int
    project_id: int
    name: str
    private: bool
    position: int
    created_at: float
    updated_at: float


@dataclass(slots=True)
class Image:
    id: int
    project_id: int
    album_id: int | None
    blob_id: int
    filename: str
    description: str
    private: bool
    starred: bool
    taken_at: str | None
    created_at: float
    updated_at: float
    uploader_id: int
    width: int = 1600
    height: int = 1200
    deleted: bool = False


@dataclass(slots=True)
class Attachment:
    id: int
    name: str
    blob_id: int
    size: int


@dataclass(slots=True)
class ToolItem:
    """A read-only item of another tool (RFI, submittal, drawing revision, ...)."""

    tool: str
    id: int
    project_id: int
    created_at: float
    updated_at: float
    fields: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(slots=True)
class Trigger:
    id: int
    hook_id: int
    resource_name: str
    event_type: str


@dataclass(slots=True)
class Hook:
    id: int
    company_id: int
    project_id: int | None
    namespace: str
    destination_url: str
    destination_headers: dict[str, str]
    api_version: str
    triggers: dict[int, Trigger] = field(default_factory=dict)


class World:
    """Everything the emulator holds. Mutated only on the event loop (no locks needed)."""

    def __init__(self) -> None:
        self._next_id = FIRST_ID
        self._next_event_id = FIRST_EVENT_ID
        self._last_time = 0.0
        self.clients: dict[str, Client] = {}
        self.tokens: dict[str, Token] = {}
        self.companies: dict[int, Company] = {}
        self.projects: dict[int, Project] = {}
        self.folders: dict[int, Folder] = {}
        self.files: dict[int, File] = {}
        self.versions: dict[int, Version] = {}
        self.blobs: dict[int, Blob] = {}
        self.albums: dict[int, Album] = {}
        self.images: dict[int, Image] = {}
        self.tool_items: dict[str, dict[int, ToolItem]] = {}
        self.hooks: dict[int, Hook] = {}

    def new_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def new_event_id(self) -> int:
        value = self._next_event_id
        self._next_event_id += 1
        return value

    def now(self) -> float:
        """Wall-clock time, strictly increasing by at least 1 ms so `updated_at` orders changes."""
        current = max(time.time(), self._last_time + 0.001)
        self._last_time = current
        return current

    def add_blob(self, content: Content, filename: str) -> Blob:
        blob = Blob(self.new_id(), content, filename)
        self.blobs[blob.id] = blob
        return blob

    def scope_root(self, scope: Scope) -> Folder:
        if scope.project_id is not None:
            return self.folders[self.projects[scope.project_id].root_folder_id]
        return self.folders[self.companies[scope.company_id].root_folder_id]

    def folder_path(self, folder: Folder) -> str:
        """`name_with_path` below the root (the root itself is "")."""
        names: list[str] = []
        current: Folder | None = folder
        while current is not None and current.parent_id is not None:
            names.append(current.name)
            current = self.folders.get(current.parent_id)
        return "/".join(reversed(names))

    def file_path(self, file: File) -> str:
        parent = self.folder_path(self.folders[file.parent_id])
        return f"{parent}/{file.name}" if parent else file.name
