"""The demo seed (ids match local.settings.example.json) and the compact tree spec."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .errors import GraphError, invalid_request
from .model import Actor, Drive, Item
from .store import GraphStore

DEMO_TENANT = "00000000-0000-0000-0000-000000000001"
DEMO_CLIENT = "00000000-0000-0000-0000-000000000002"
DEMO_SECRET = "local-graph-secret"
DEMO_SITE_ID = (
    "contoso.sharepoint.com,"
    "11111111-1111-1111-1111-111111111111,22222222-2222-2222-2222-222222222222"
)
DEMO_DOCUMENTS = "b!documents-construction"
DEMO_ARCHIVE = "b!archive-construction"
DEMO_MAILBOX = "sync@contoso.example"
DEMO_MAIL_USER = "33333333-3333-3333-3333-333333333333"


def seed_demo(store: GraphStore) -> None:
    store.add_app(DEMO_TENANT, DEMO_CLIENT, DEMO_SECRET, [])
    site = store.add_site(
        "contoso.sharepoint.com", "/sites/Construction", "Construction", DEMO_SITE_ID
    )
    store.add_drive(site, "Documents", "Shared Documents", DEMO_DOCUMENTS)
    store.add_drive(site, "Archive", "Archive", DEMO_ARCHIVE)
    store.add_mailbox(DEMO_MAILBOX, DEMO_MAIL_USER, "Sync Service")


def generated_bytes(size: int, label: str) -> bytes:
    """Deterministic content of `size` bytes (same label and size → same bytes)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{label}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def file_bytes(spec: Any, label: str) -> bytes:
    """A file's content from a spec: a string, `{"content"}`, `{"content_b64"}` or `{"size"}`."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if isinstance(spec, dict):
        if isinstance(spec.get("content"), str):
            return str(spec["content"]).encode("utf-8")
        if isinstance(spec.get("content_b64"), str):
            try:
                return base64.b64decode(spec["content_b64"], validate=True)
            except ValueError:
                raise invalid_request("content_b64 is not base64.") from None
        if isinstance(spec.get("size"), int) and spec["size"] >= 0:
            return generated_bytes(int(spec["size"]), label)
        return b""
    raise invalid_request(f"Unsupported file spec for {label}.")


def is_file_spec(spec: Any) -> bool:
    return isinstance(spec, str) or (
        isinstance(spec, dict) and any(k in spec for k in ("content", "content_b64", "size"))
    )


def seed_tree(
    store: GraphStore, drive: Drive, parent: Item, tree: Any, actor: Actor, prefix: str = ""
) -> dict[str, str]:
    """Create folders and files from a compact spec; returns path → item id."""
    from .api import fs_times

    if not isinstance(tree, dict):
        raise invalid_request("tree must be an object of name → folder (object) or file.")
    created: dict[str, str] = {}
    for name, spec in tree.items():
        path = f"{prefix}/{name}"
        if is_file_spec(spec):
            fs_created, fs_modified = fs_times(
                spec.get("fileSystemInfo") if isinstance(spec, dict) else None
            )
            blob = store.blobs.from_bytes(file_bytes(spec, path))
            item, _ = store.write_content(
                drive,
                blob,
                actor,
                parent=parent,
                name=name,
                behavior="replace",
                fs_created=fs_created,
                fs_modified=fs_modified,
            )
            created[path] = item.id
        elif isinstance(spec, dict):
            folder = store.child(drive, parent, name)
            if folder is None:
                folder = store.create_folder(drive, parent, name, "fail", actor)
            elif not folder.folder:
                raise GraphError(409, "nameAlreadyExists", f"{path} exists as a file")
            created[path] = folder.id
            created.update(seed_tree(store, drive, folder, spec, actor, path))
        else:
            raise invalid_request(f"Unsupported spec for {path}.")
    return created
