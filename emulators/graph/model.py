"""In-memory model: tenants and apps, sites, drives (libraries), driveItems, versions, mailboxes."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from .blobs import Blob


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def new_item_id() -> str:
    """SharePoint-like driveItem id: `01` + 32 base32 characters."""
    return "01" + base64.b32encode(uuid.uuid4().bytes + secrets.token_bytes(4)).decode("ascii")


@dataclass(frozen=True)
class Actor:
    """Who made a change: the calling app or a SharePoint user (control API)."""

    kind: str  # "application" | "user"
    id: str
    display_name: str

    def identity_set(self) -> dict[str, Any]:
        return {self.kind: {"id": self.id, "displayName": self.display_name}}


@dataclass
class App:
    tenant_id: str
    client_id: str
    display_name: str
    secret: str | None = None
    certificates_pem: list[str] = field(default_factory=list)

    def actor(self) -> Actor:
        return Actor("application", self.client_id, self.display_name)


@dataclass
class Version:
    number: int
    blob: Blob
    modified_at: dt.datetime
    modified_by: Actor

    @property
    def id(self) -> str:
        return f"{self.number}.0"


@dataclass
class Item:
    id: str
    drive_id: str
    name: str
    parent_id: str | None
    folder: bool
    created_at: dt.datetime
    modified_at: dt.datetime
    fs_created: dt.datetime
    fs_modified: dt.datetime
    created_by: Actor
    modified_by: Actor
    guid: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    etag_n: int = 1
    ctag_n: int = 1
    versions: list[Version] = field(default_factory=list)
    seq: int = 0
    office_lock: str | None = None
    checked_out_by: Actor | None = None

    @property
    def etag(self) -> str:
        return f'"{{{self.guid}}},{self.etag_n}"'

    @property
    def ctag(self) -> str:
        return f'"c:{{{self.guid}}},{self.ctag_n}"'

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    @property
    def size(self) -> int:
        return self.current.blob.size if self.current else 0


@dataclass
class Tombstone:
    id: str
    parent_id: str | None
    seq: int


@dataclass
class RecycledFile:
    """A file that went to the recycle bin (itself or inside a recycled folder), with every
    version it had: SharePoint's recycle bin restores an item with its version history."""

    id: str
    path: str
    versions: list[Version]


@dataclass
class RecycledItem:
    id: str
    name: str
    path: str
    folder: bool
    deleted_at: dt.datetime
    deleted_by: Actor
    files: list[RecycledFile] = field(default_factory=list)


@dataclass
class Drive:
    id: str
    site_id: str
    name: str
    url_name: str  # library folder under the site, e.g. "Shared Documents"
    root_id: str
    items: dict[str, Item] = field(default_factory=dict)
    children: dict[str, dict[str, str]] = field(default_factory=dict)  # parent → lower name → id
    tombstones: dict[str, Tombstone] = field(default_factory=dict)
    recycle_bin: list[RecycledItem] = field(default_factory=list)
    seq: int = 0
    delta_generation: int = 1
    delta_cursors: dict[str, tuple[list[str], int]] = field(default_factory=dict)


@dataclass
class Site:
    id: str
    hostname: str
    path: str  # server-relative, e.g. "/sites/Construction"
    display_name: str
    drive_ids: list[str] = field(default_factory=list)


@dataclass
class Mailbox:
    address: str
    user_id: str
    display_name: str
    messages: list[dict[str, Any]] = field(default_factory=list)
