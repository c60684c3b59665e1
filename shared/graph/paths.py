"""Graph URL paths for drive items (path addressing, API-NOTES B2).

Names go into URLs percent-encoded segment by segment (`#`, `%` and spaces are legal in
SharePoint names); `/` separates segments.
"""

from __future__ import annotations

from urllib.parse import quote


def clean_path(path: str) -> str:
    """A folder-relative path without leading/trailing or doubled slashes."""
    return "/".join(part for part in path.strip().split("/") if part)


def encode_path(path: str) -> str:
    return "/".join(quote(part, safe="") for part in clean_path(path).split("/"))


def drive_path(drive_id: str) -> str:
    return f"/drives/{quote(drive_id, safe='')}"


def item_path(drive_id: str, item_id: str) -> str:
    return f"{drive_path(drive_id)}/items/{quote(item_id, safe='')}"


def root_relative(drive_id: str, path: str) -> str:
    """`/drives/{d}/root:/{path}` (or the root itself for an empty path)."""
    if not clean_path(path):
        return f"{drive_path(drive_id)}/root"
    return f"{drive_path(drive_id)}/root:/{encode_path(path)}"


def item_relative(drive_id: str, item_id: str, path: str) -> str:
    """`/drives/{d}/items/{id}:/{path}` (or the item itself for an empty path)."""
    if not clean_path(path):
        return item_path(drive_id, item_id)
    return f"{item_path(drive_id, item_id)}:/{encode_path(path)}"


def parent_of(path: str) -> str:
    """The parent of a clean relative path ('' for a top-level name)."""
    return path.rpartition("/")[0]


def name_of(path: str) -> str:
    return path.rpartition("/")[2]
