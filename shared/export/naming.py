"""Names of exported files and folders: `RFI-012 Slab edge detail.pdf`, made SharePoint-safe.

Pure. Built from the item's number and title, passed through `shared.sync.names.sharepoint_name`
(forbidden characters, reserved names...), and kept short enough that the item's attachment folder
and the attachments inside it still fit SharePoint's 400-character path (API-NOTES B6): a long
title is cut (a short hash of the full name keeps two long titles apart) and the extension kept.
"""

from __future__ import annotations

import re

from shared.sync.names import MappedName, Unmappable, sharepoint_name, shorten, split_extension

ITEM_NAME_MAX = 120
"""Longest PDF name (with `.pdf`) and attachment-folder name: room is left for the attachment
names below the folder within the 400-character path."""
ATTACHMENT_NAME_MAX = 120
_SPACES = re.compile(r"\s+")


def numbered(prefix: str, number: str | None) -> str:
    """The item's display number: `12` with prefix `RFI-` → `RFI-012`; `SC-001` stays."""
    if not number:
        return ""
    text = str(number).strip()
    if prefix and text.isdigit():
        return f"{prefix}{int(text):03d}"
    return text


def item_stem(number: str, title: str | None, fallback_id: int) -> str:
    """`<number> <title>`; without a number the Procore id keeps same-titled items apart."""
    clean_title = _SPACES.sub(" ", title or "").strip()
    if number and clean_title:
        return f"{number} {clean_title}"
    if number:
        return number
    return f"{clean_title} ({fallback_id})" if clean_title else f"Item {fallback_id}"


def _fit(name: str, limit: int, *, is_folder: bool) -> MappedName | Unmappable:
    mapped = sharepoint_name(name, is_folder=is_folder)
    if isinstance(mapped, Unmappable) or len(mapped.name) <= limit:
        return mapped
    short = shorten(mapped.name, limit)
    return MappedName(name, short, (*mapped.changes, f"shortened to {limit} characters"))


def pdf_name(stem: str) -> MappedName | Unmappable:
    """The PDF's file name for an item stem, at most ITEM_NAME_MAX characters, ending `.pdf`."""
    return _fit(f"{stem}.pdf", ITEM_NAME_MAX, is_folder=False)


def folder_name(stem: str) -> MappedName | Unmappable:
    """The folder beside the PDF that holds the item's attachments."""
    return _fit(stem, ITEM_NAME_MAX - 4, is_folder=True)


def attachment_name(name: str) -> MappedName | Unmappable:
    stem, extension = split_extension(name)
    if not stem.strip():
        name = f"attachment{extension}"
    return _fit(name, ATTACHMENT_NAME_MAX, is_folder=False)
