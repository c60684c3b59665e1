"""SharePoint naming rules: map a Procore name to one SharePoint accepts, or say why not.

Pure functions (no I/O). The rules are DESIGN §4 and API-NOTES B6: forbidden characters
`" * : < > ? / \\ |` (and control characters), no leading/trailing spaces, no trailing dots,
reserved names (`CON`, `PRN`, `AUX`, `NUL`, `COM0-9`, `LPT0-9`, `.lock`, `desktop.ini`), `_vti_`
anywhere, a `~$` prefix, folders starting with `~`, `forms` at the library root, 255 characters
per segment, 400 characters for the whole decoded path, and names that differ only by case in
one folder.

Mapping is deterministic, so the same Procore name always maps to the same SharePoint name, and
the mapped name is remembered in the Items table, so it is never reversed by guessing. Forbidden
characters become their full-width look-alikes (`Plan: A?` → `Plan： A？`), which keeps names
readable and keeps `A:B` and `A_B` apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

FULLWIDTH = {
    '"': "\uff02",  # ＂
    "*": "\uff0a",  # ＊
    ":": "\uff1a",  # ：
    "<": "\uff1c",  # ＜
    ">": "\uff1e",  # ＞
    "?": "\uff1f",  # ？
    "/": "\uff0f",  # ／
    "\\": "\uff3c",  # ＼
    "|": "\uff5c",  # ｜
}
RESERVED_STEMS = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
)
RESERVED_NAMES = frozenset({".lock", "desktop.ini"})
MAX_SEGMENT = 255
MAX_PATH = 400
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_VTI = re.compile(r"_vti_", re.IGNORECASE)


@dataclass(frozen=True)
class MappedName:
    """A SharePoint name for a Procore name; `changes` says what was changed and why."""

    original: str
    name: str
    changes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.name != self.original


@dataclass(frozen=True)
class Unmappable:
    """A name (or path) that cannot be made acceptable; the item is skipped with `reason`."""

    original: str
    reason: str


@dataclass(frozen=True)
class Sibling:
    """One entry of a folder listing to be named: its id, its source name and its kind."""

    item_id: str
    name: str
    is_folder: bool = False


@dataclass
class FolderNames:
    """SharePoint names for the entries of one folder, and the entries that must be skipped."""

    names: dict[str, MappedName] = field(default_factory=dict)
    skipped: dict[str, Unmappable] = field(default_factory=dict)


def split_extension(name: str) -> tuple[str, str]:
    """`Plan.v2.pdf` → (`Plan.v2`, `.pdf`); a leading dot alone is not an extension."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]


def sharepoint_name(
    name: str, *, is_folder: bool = False, at_library_root: bool = False
) -> MappedName | Unmappable:
    """The name SharePoint accepts for `name`, with every change explained."""
    changes: list[str] = []
    text = unicodedata.normalize("NFC", name)
    if text != name:
        changes.append("normalised to NFC")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        changes.append("control characters removed")
    if any(c in FULLWIDTH for c in text):
        text = "".join(FULLWIDTH.get(c, c) for c in text)
        changes.append('characters " * : < > ? / \\ | replaced by full-width look-alikes')
    stripped = text.strip(" ")
    if stripped != text:
        text = stripped
        changes.append("leading/trailing spaces removed")
    trimmed = text.rstrip(". ")
    if trimmed != text:
        text = trimmed
        changes.append("trailing dots removed")
    if not text:
        return Unmappable(name, "the name is empty once characters SharePoint forbids are removed")
    if _VTI.search(text):
        text = _VTI.sub("_vti-", text)
        changes.append("'_vti_' is reserved by SharePoint")
    if text.startswith("~$"):
        text = "_" + text
        changes.append("names starting with '~$' are reserved for Office lock files")
    elif is_folder and text.startswith("~"):
        text = "_" + text
        changes.append("folder names may not start with '~'")
    if text.lower() in RESERVED_NAMES:
        text = "_" + text
        changes.append(f"'{name}' is a reserved name")
    stem, extension = split_extension(text)
    if stem.upper() in RESERVED_STEMS:
        text = f"{stem}_{extension}"
        changes.append(f"'{stem}' is a reserved device name")
    if is_folder and at_library_root and text.lower() == "forms":
        text = "_" + text
        changes.append("'forms' is reserved at the library root")
    if len(text) > MAX_SEGMENT:
        text = shorten(text, MAX_SEGMENT)
        changes.append(f"shortened to {MAX_SEGMENT} characters")
    return MappedName(name, text, tuple(changes))


def shorten(name: str, limit: int) -> str:
    """Cut `name` to `limit` characters, keeping its extension and adding a short hash of the
    full name so two long names that share a beginning stay distinct."""
    stem, extension = split_extension(name)
    if len(extension) > 16:
        stem, extension = name, ""
    tag = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    room = limit - len(extension) - len(tag)
    if room < 1:
        raise ValueError(f"cannot shorten a name to {limit} characters")
    return stem[:room].rstrip(" .") + tag + extension


def name_folder(
    entries: Iterable[Sibling],
    *,
    taken: Iterable[str] = (),
    at_library_root: bool = False,
) -> FolderNames:
    """SharePoint names for every entry of one folder.

    SharePoint is case-insensitive but case-preserving (API-NOTES B6), so entries whose mapped
    names differ only by case get ` (2)`, ` (3)`... before the extension, in a stable order (by
    id) so every pass picks the same winner. `taken` lists names already used in the folder by
    items that are not part of this listing (e.g. SharePoint-only files).
    """
    result = FolderNames()
    used = {n.casefold() for n in taken}
    ordered = sorted(entries, key=lambda s: (_id_order(s.item_id), s.item_id))
    for entry in ordered:
        mapped = sharepoint_name(
            entry.name, is_folder=entry.is_folder, at_library_root=at_library_root
        )
        if isinstance(mapped, Unmappable):
            result.skipped[entry.item_id] = mapped
            continue
        unique = _unique(mapped, used)
        used.add(unique.name.casefold())
        result.names[entry.item_id] = unique
    return result


def _unique(mapped: MappedName, used: set[str]) -> MappedName:
    if mapped.name.casefold() not in used:
        return mapped
    stem, extension = split_extension(mapped.name)
    number = 2
    while True:
        candidate = f"{stem} ({number}){extension}"
        if len(candidate) > MAX_SEGMENT:
            candidate = shorten(candidate, MAX_SEGMENT)
        if candidate.casefold() not in used:
            reason = "another item in the folder has the same name apart from letter case"
            return MappedName(mapped.original, candidate, (*mapped.changes, reason))
        number += 1


def _id_order(item_id: str) -> int:
    return int(item_id) if item_id.isdigit() else 0


def check_path(segments: Sequence[str], *, base_path_length: int) -> Unmappable | None:
    """Whether the decoded path (site-relative prefix of `base_path_length` characters, then the
    mapped segments joined by `/`) fits SharePoint's 400-character limit."""
    length = base_path_length + sum(len(s) + 1 for s in segments)
    if length > MAX_PATH:
        return Unmappable(
            "/".join(segments),
            f"the SharePoint path would be {length} characters; the limit is {MAX_PATH}",
        )
    return None


def is_office_temp_name(name: str) -> bool:
    """Office temp and lock files that are never taken (DESIGN §1.3 Save & Close rule)."""
    lower = name.lower()
    return (
        lower.startswith("~$")
        or lower.endswith(".tmp")
        or (lower.startswith(".~lock.") and lower.endswith("#"))
    )
