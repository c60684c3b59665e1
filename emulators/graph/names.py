"""SharePoint naming rules (API-NOTES B6) checked on every create, rename, move and upload."""

from __future__ import annotations

import re

from .errors import GraphError, bad_name

INVALID_CHARS = set('"*:<>?/\\|')
RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    ".lock",
    "desktop.ini",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
MAX_SEGMENT = 255
MAX_PATH = 400
_NUMBERED = re.compile(r"^(?P<stem>.*?) (?P<n>\d+)$")


def check_name(
    name: str, *, folder: bool, at_library_root: bool, forbid_trailing_dot: bool
) -> None:
    """Raise the 400 SharePoint gives for a name it refuses."""
    if not name:
        raise GraphError(400, "invalidRequest", "The name cannot be empty.")
    bad = sorted(INVALID_CHARS.intersection(name))
    if bad or any(ord(c) < 32 for c in name):
        raise bad_name(f"The provided name cannot contain invalid characters: {''.join(bad)!r}")
    if name != name.strip(" "):
        raise bad_name("The provided name cannot begin or end with a space.")
    if forbid_trailing_dot and name.endswith("."):
        raise bad_name("The provided name cannot end with a period.")
    lowered = name.lower()
    if lowered in RESERVED:
        raise bad_name(f"The provided name is reserved: {name}")
    if lowered.startswith("~$"):
        raise bad_name("The provided name cannot begin with '~$'.")
    if "_vti_" in lowered:
        raise bad_name("The provided name cannot contain '_vti_'.")
    if folder and name.startswith("~"):
        raise bad_name("A folder name cannot begin with '~'.")
    if at_library_root and lowered == "forms":
        raise bad_name("'forms' is reserved at the root of a library.")
    if len(name) > MAX_SEGMENT:
        raise bad_name(f"The provided name is longer than {MAX_SEGMENT} characters.")


def check_path_length(site_relative_path: str) -> None:
    """The whole decoded site-relative path (library folder included) is limited to 400 chars."""
    if len(site_relative_path) > MAX_PATH:
        raise GraphError(
            400,
            "invalidRequest",
            f"The path is longer than {MAX_PATH} characters: {len(site_relative_path)}",
            "pathIsTooLong",
        )


def numbered(name: str, taken: set[str]) -> str:
    """`conflictBehavior=rename`: `Plan.pdf` → `Plan 1.pdf`, `Plan 2.pdf`, … (case-insensitive)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext, dot = name, "", ""
    match = _NUMBERED.match(stem)
    base = match.group("stem") if match else stem
    for n in range(1, 100000):
        candidate = f"{base} {n}{dot}{ext}"
        if candidate.lower() not in taken:
            return candidate
    raise GraphError(409, "nameAlreadyExists", f"No free name for {name}")
