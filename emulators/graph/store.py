"""The emulator's state and every change to it, shared by the Graph API and the control API.

Each change bumps the item's eTag (and cTag on content), records a delta sequence number on the
drive and tells the listeners (change notifications) which drive changed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import names
from .blobs import Blob, BlobStore, office_rewrite
from .errors import GraphError, invalid_request, locked, name_exists, not_found, precondition_failed
from .model import (
    Actor,
    App,
    Drive,
    Item,
    Mailbox,
    RecycledFile,
    RecycledItem,
    Site,
    Tombstone,
    Version,
    iso,
    new_item_id,
    now,
)
from .options import Options

_ENTITY_TAGS = re.compile(r'(?:W/)?"[^"]*"')
SYSTEM = Actor("user", "00000000-0000-0000-0000-00000000aaaa", "System Account")


@dataclass
class DownloadGrant:
    blob: Blob
    name: str
    expires_at: dt.datetime


@dataclass
class IssuedToken:
    app: App
    expires_at: dt.datetime


class GraphStore:
    def __init__(self, options: Options, blobs: BlobStore) -> None:
        self.options = options
        self.blobs = blobs
        self.listeners: list[Callable[[str], None]] = []
        self.clear()

    def clear(self) -> None:
        self.tenants: set[str] = set()
        self.apps: dict[str, App] = {}
        self.sites: dict[str, Site] = {}
        self.drives: dict[str, Drive] = {}
        self.mailboxes: dict[str, Mailbox] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.downloads: dict[str, DownloadGrant] = {}
        self.blobs.clear()

    # ---- registration -------------------------------------------------------------------

    def add_app(
        self,
        tenant_id: str,
        client_id: str,
        secret: str | None,
        certificates_pem: list[str],
        display_name: str = "Procore SharePoint Sync",
    ) -> App:
        self.tenants.add(tenant_id.lower())
        app = App(tenant_id.lower(), client_id.lower(), display_name, secret, certificates_pem)
        self.apps[app.client_id] = app
        return app

    def add_site(self, hostname: str, path: str, display_name: str, site_id: str | None) -> Site:
        path = "/" + path.strip("/")
        if site_id is None:
            site_id = f"{hostname},{uuid.uuid4()},{uuid.uuid4()}"
        site = Site(site_id, hostname.lower(), path, display_name)
        self.sites[site.id] = site
        return site

    def add_drive(self, site: Site, name: str, url_name: str, drive_id: str | None) -> Drive:
        drive_id = drive_id or "b!" + secrets.token_urlsafe(24)
        if drive_id in self.drives:
            raise invalid_request(f"drive {drive_id} exists")
        moment = now()
        root = Item(
            id=new_item_id(),
            drive_id=drive_id,
            name="root",
            parent_id=None,
            folder=True,
            created_at=moment,
            modified_at=moment,
            fs_created=moment,
            fs_modified=moment,
            created_by=SYSTEM,
            modified_by=SYSTEM,
        )
        drive = Drive(drive_id, site.id, name, url_name, root.id)
        drive.items[root.id] = root
        drive.children[root.id] = {}
        self.drives[drive_id] = drive
        site.drive_ids.append(drive_id)
        return drive

    def add_mailbox(self, address: str, user_id: str | None, display_name: str = "") -> Mailbox:
        box = Mailbox(address.lower(), (user_id or str(uuid.uuid4())).lower(), display_name)
        self.mailboxes[box.address] = box
        return box

    def mailbox(self, user: str) -> Mailbox:
        user = user.lower()
        for box in self.mailboxes.values():
            if user in (box.address, box.user_id):
                return box
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")

    # ---- lookups ------------------------------------------------------------------------

    def drive(self, drive_id: str) -> Drive:
        drive = self.drives.get(drive_id)
        if drive is None:
            raise GraphError(404, "itemNotFound", f"The drive {drive_id} does not exist.")
        return drive

    def site(self, site_id: str) -> Site:
        site = self.sites.get(site_id) or next(
            (s for s in self.sites.values() if s.id.split(",")[1:2] == [site_id]), None
        )
        if site is None:
            raise GraphError(404, "itemNotFound", "Requested site could not be found")
        return site

    def site_by_path(self, hostname: str, path: str) -> Site:
        wanted = "/" + path.strip("/")
        for site in self.sites.values():
            if site.hostname == hostname.lower() and site.path.lower() == wanted.lower():
                return site
        raise GraphError(404, "itemNotFound", "Requested site could not be found")

    @staticmethod
    def item(drive: Drive, item_id: str) -> Item:
        found = drive.items.get(item_id)
        if found is None:
            raise not_found("The resource could not be found.")
        return found

    @staticmethod
    def child(drive: Drive, parent: Item, name: str) -> Item | None:
        child_id = drive.children.get(parent.id, {}).get(name.lower())
        return drive.items.get(child_id) if child_id else None

    def by_path(self, drive: Drive, start: Item, path: str) -> Item:
        item = start
        for segment in [s for s in path.split("/") if s]:
            if not item.folder:
                raise not_found()
            found = self.child(drive, item, segment)
            if found is None:
                raise not_found("The resource could not be found.")
            item = found
        return item

    def path_of(self, drive: Drive, item: Item) -> str:
        """Drive-relative path, `/a/b.txt` ('' for the root)."""
        parts: list[str] = []
        current: Item | None = item
        while current is not None and current.parent_id is not None:
            parts.append(current.name)
            current = drive.items.get(current.parent_id)
        return "".join("/" + p for p in reversed(parts))

    def site_relative_path(self, drive: Drive, parent: Item, name: str) -> str:
        site = self.sites[drive.site_id]
        return f"{site.path.strip('/')}/{drive.url_name}{self.path_of(drive, parent)}/{name}"

    def descendants(self, drive: Drive, item: Item) -> list[Item]:
        out: list[Item] = []
        for child_id in list(drive.children.get(item.id, {}).values()):
            child = drive.items[child_id]
            out.append(child)
            if child.folder:
                out.extend(self.descendants(drive, child))
        return out

    def sorted_children(self, drive: Drive, parent: Item) -> list[Item]:
        ids = drive.children.get(parent.id, {})
        return [drive.items[ids[key]] for key in sorted(ids)]

    # ---- change recording ---------------------------------------------------------------

    def touched(self, drive: Drive, item: Item, actor: Actor, *, content: bool = False) -> None:
        item.etag_n += 1
        if content:
            item.ctag_n += 1
        item.modified_at = now()
        item.modified_by = actor
        self.changed(drive, item)

    def changed(self, drive: Drive, item: Item) -> None:
        drive.seq += 1
        item.seq = drive.seq
        for listener in list(self.listeners):
            listener(drive.id)

    # ---- guards -------------------------------------------------------------------------

    @staticmethod
    def check_if_match(item: Item, if_match: str | None) -> None:
        if if_match is None or if_match.strip() == "*":
            return
        wanted = set(_ENTITY_TAGS.findall(if_match)) or {if_match.strip()}
        if item.etag not in wanted and (item.folder or item.ctag not in wanted):
            raise precondition_failed()

    @staticmethod
    def check_writable(item: Item, actor: Actor) -> None:
        if item.office_lock is not None:
            raise locked()
        if item.checked_out_by is not None and item.checked_out_by.id != actor.id:
            raise locked()

    def check_new_name(
        self, drive: Drive, parent: Item, name: str, *, folder: bool, ignore: Item | None = None
    ) -> None:
        names.check_name(
            name,
            folder=folder,
            at_library_root=parent.id == drive.root_id,
            forbid_trailing_dot=self.options.forbid_trailing_dot,
        )
        names.check_path_length(self.site_relative_path(drive, parent, name))
        del ignore

    def resolve_conflict(
        self, drive: Drive, parent: Item, name: str, behavior: str, actor: Actor
    ) -> tuple[str, Item | None]:
        """Apply `@microsoft.graph.conflictBehavior`; returns (name to use, item to replace)."""
        existing = self.child(drive, parent, name)
        if existing is None:
            return name, None
        if behavior == "fail":
            raise name_exists(name)
        if behavior == "rename":
            return names.numbered(name, set(drive.children.get(parent.id, {}))), None
        if behavior == "replace":
            return existing.name if existing.name == name else name, existing
        raise invalid_request(f"Invalid conflictBehavior: {behavior}")

    # ---- writes -------------------------------------------------------------------------

    def _attach(self, drive: Drive, item: Item) -> None:
        drive.items[item.id] = item
        assert item.parent_id is not None
        drive.children.setdefault(item.parent_id, {})[item.name.lower()] = item.id
        if item.folder:
            drive.children.setdefault(item.id, {})
        drive.tombstones.pop(item.id, None)

    def _new_item(
        self,
        drive: Drive,
        parent: Item,
        name: str,
        folder: bool,
        actor: Actor,
        fs_created: dt.datetime | None,
        fs_modified: dt.datetime | None,
    ) -> Item:
        moment = now()
        return Item(
            id=new_item_id(),
            drive_id=drive.id,
            name=name,
            parent_id=parent.id,
            folder=folder,
            created_at=moment,
            modified_at=moment,
            fs_created=fs_created or moment,
            fs_modified=fs_modified or moment,
            created_by=actor,
            modified_by=actor,
        )

    def create_folder(
        self,
        drive: Drive,
        parent: Item,
        name: str,
        behavior: str,
        actor: Actor,
        fs_created: dt.datetime | None = None,
        fs_modified: dt.datetime | None = None,
    ) -> Item:
        if not parent.folder:
            raise invalid_request("The parent item is not a folder.")
        self.check_new_name(drive, parent, name, folder=True)
        name, replaced = self.resolve_conflict(drive, parent, name, behavior, actor)
        if replaced is not None:
            if replaced.folder:
                # Graph answers "replace" on an existing folder with that folder.
                return replaced
            self.delete(drive, replaced, actor, None)
        item = self._new_item(drive, parent, name, True, actor, fs_created, fs_modified)
        self._attach(drive, item)
        self.changed(drive, item)
        return item

    def write_content(
        self,
        drive: Drive,
        blob: Blob,
        actor: Actor,
        *,
        parent: Item | None = None,
        name: str | None = None,
        target: Item | None = None,
        behavior: str = "replace",
        if_match: str | None = None,
        fs_created: dt.datetime | None = None,
        fs_modified: dt.datetime | None = None,
    ) -> tuple[Item, bool]:
        """Store `blob` as a new file or a new version; returns (item, created)."""
        if target is None:
            assert parent is not None and name is not None
            if not parent.folder:
                raise invalid_request("The parent item is not a folder.")
            self.check_new_name(drive, parent, name, folder=False)
            name, target = self.resolve_conflict(drive, parent, name, behavior, actor)
            if target is not None and target.folder:
                raise name_exists(name)
        if target is not None:
            if target.folder:
                raise invalid_request("Cannot upload content to a folder.")
            self.check_if_match(target, if_match)
            self.check_writable(target, actor)
        elif if_match not in (None, "*"):
            raise precondition_failed()
        stored_name = target.name if target is not None else str(name)
        if self.options.office_rewrite:
            blob = office_rewrite(self.blobs, blob, stored_name, iso(now()))
        moment = now()
        if target is None:
            assert parent is not None
            item = self._new_item(drive, parent, stored_name, False, actor, fs_created, fs_modified)
            item.versions.append(Version(1, blob, moment, actor))
            self._attach(drive, item)
            self.changed(drive, item)
            return item, True
        number = target.versions[-1].number + 1 if target.versions else 1
        target.versions.append(Version(number, blob, moment, actor))
        target.fs_modified = fs_modified or moment
        if fs_created:
            target.fs_created = fs_created
        self.touched(drive, target, actor, content=True)
        return target, False

    def update(
        self,
        drive: Drive,
        item: Item,
        actor: Actor,
        *,
        name: str | None = None,
        parent: Item | None = None,
        fs_created: dt.datetime | None = None,
        fs_modified: dt.datetime | None = None,
        if_match: str | None = None,
        behavior: str = "fail",
    ) -> Item:
        if item.parent_id is None and (name or parent):
            raise invalid_request("The root cannot be renamed or moved.")
        self.check_if_match(item, if_match)
        self.check_writable(item, actor)
        new_name = name if name is not None else item.name
        new_parent = parent or drive.items[item.parent_id] if item.parent_id else None
        if new_parent is not None and (new_name != item.name or new_parent.id != item.parent_id):
            if not new_parent.folder:
                raise invalid_request("The new parent is not a folder.")
            if new_parent.id == item.id or new_parent in self.descendants(drive, item):
                raise invalid_request("An item cannot be moved into itself.")
            self.check_new_name(drive, new_parent, new_name, folder=item.folder)
            clash = self.child(drive, new_parent, new_name)
            if clash is not None and clash.id != item.id:
                if behavior == "rename":
                    new_name = names.numbered(new_name, set(drive.children[new_parent.id]))
                elif behavior == "replace" and not clash.folder:
                    self.delete(drive, clash, actor, None)
                else:
                    raise name_exists(new_name)
            assert item.parent_id is not None
            del drive.children[item.parent_id][item.name.lower()]
            item.name = new_name
            item.parent_id = new_parent.id
            drive.children[new_parent.id][new_name.lower()] = item.id
        if fs_created:
            item.fs_created = fs_created
        if fs_modified:
            item.fs_modified = fs_modified
        self.touched(drive, item, actor)
        return item

    def delete(self, drive: Drive, item: Item, actor: Actor, if_match: str | None) -> None:
        if item.parent_id is None:
            raise GraphError(403, "accessDenied", "The root of a drive cannot be deleted.")
        self.check_if_match(item, if_match)
        self.check_writable(item, actor)
        for inner in [item, *self.descendants(drive, item)]:
            if inner is not item:
                self.check_writable(inner, actor)
        path = self.path_of(drive, item)
        removed = [*self.descendants(drive, item), item]
        files = [
            RecycledFile(inner.id, self.path_of(drive, inner), list(inner.versions))
            for inner in removed
            if not inner.folder
        ]
        drive.recycle_bin.append(
            RecycledItem(item.id, item.name, path, item.folder, now(), actor, files)
        )
        for inner in removed:
            assert inner.parent_id is not None
            drive.children.get(inner.parent_id, {}).pop(inner.name.lower(), None)
            drive.children.pop(inner.id, None)
            drive.items.pop(inner.id, None)
            drive.seq += 1
            drive.tombstones[inner.id] = Tombstone(inner.id, inner.parent_id, drive.seq)
        for listener in list(self.listeners):
            listener(drive.id)

    def checkout(self, drive: Drive, item: Item, actor: Actor) -> None:
        if item.folder:
            raise invalid_request("Folders cannot be checked out.")
        if item.office_lock is not None:
            raise locked()
        if item.checked_out_by is not None:
            if item.checked_out_by.id == actor.id:
                return
            raise locked()
        item.checked_out_by = actor
        self.touched(drive, item, actor)

    def checkin(self, drive: Drive, item: Item, actor: Actor) -> None:
        if item.checked_out_by is None:
            raise invalid_request("The file is not checked out.")
        if item.checked_out_by.id != actor.id:
            raise locked()
        item.checked_out_by = None
        self.touched(drive, item, actor)

    def set_office_lock(self, drive: Drive, item: Item, actor: Actor, on: bool) -> None:
        if item.folder:
            raise invalid_request("Folders cannot be locked.")
        item.office_lock = actor.display_name if on else None
        self.changed(drive, item)

    # ---- downloads ----------------------------------------------------------------------

    def grant_download(self, blob: Blob, name: str) -> str:
        token = secrets.token_urlsafe(24)
        expires = now() + dt.timedelta(seconds=self.options.download_url_ttl_s)
        self.downloads[token] = DownloadGrant(blob, name, expires)
        if len(self.downloads) > 5000:
            moment = now()
            for key in [k for k, g in self.downloads.items() if g.expires_at < moment]:
                del self.downloads[key]
        return token

    def summary(self) -> dict[str, Any]:
        return {
            "tenants": sorted(self.tenants),
            "apps": [
                {
                    "tenant_id": a.tenant_id,
                    "client_id": a.client_id,
                    "has_secret": a.secret is not None,
                    "certificates": len(a.certificates_pem),
                }
                for a in self.apps.values()
            ],
            "sites": [
                {
                    "id": s.id,
                    "hostname": s.hostname,
                    "path": s.path,
                    "display_name": s.display_name,
                    "drives": [
                        {"id": d, "name": self.drives[d].name, "url_name": self.drives[d].url_name}
                        for d in s.drive_ids
                    ],
                }
                for s in self.sites.values()
            ],
            "mailboxes": [
                {"address": m.address, "user_id": m.user_id} for m in self.mailboxes.values()
            ],
        }
