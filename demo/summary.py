"""What the demo prints at the end: the email as text, renamed items, where the files landed.

Pure (no I/O): built from the completion email's HTML body, the Procore tree, the SharePoint tree
(both from the emulators' control APIs) and the base the sync recorded (Items).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from shared.notify.initial_sync_email import human_bytes


class _EmailText(HTMLParser):
    """The completion email's HTML as readable lines: table rows as `label: value`, list items
    as bullets, headings on their own line."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.cell: list[str] = []
        self.row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h3", "li", "th", "td"):
            self.cell = []
        if tag == "tr":
            self.row = []

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self.cell).strip()
        if tag in ("th", "td"):
            self.row.append(text)
        elif tag == "tr":
            self.lines.append(f"{self.row[0]}: {' '.join(self.row[1:])}")
        elif tag == "p":
            self.lines += [text, ""]
        elif tag == "h3":
            self.lines += ["", f"{text}:"]
        elif tag == "li":
            self.lines.append(f"  - {text}")

    def handle_data(self, data: str) -> None:
        self.cell.append(data)


def email_text(html: str) -> list[str]:
    parser = _EmailText()
    parser.feed(html)
    parser.close()
    return parser.lines


@dataclass(frozen=True)
class Renamed:
    procore_path: str
    sharepoint_path: str


def renamed_items(
    procore_items: list[dict[str, Any]],
    sharepoint_items: list[dict[str, Any]],
    bases: list[Any],
    sharepoint_root: str,
) -> list[Renamed]:
    """Items whose SharePoint name differs from their Procore name, paired by id through the base
    (the Procore path from Procore, the SharePoint path from SharePoint)."""
    procore_by_id = {int(i["id"]): i["path"] for i in procore_items}
    sharepoint_by_id = {i["id"]: i["path"] for i in sharepoint_items}
    prefix = sharepoint_root.rstrip("/") + "/"
    renamed = []
    for base in bases:
        procore_path = procore_by_id.get(base.procore_id)
        sharepoint_path = sharepoint_by_id.get(base.sharepoint_id)
        if procore_path is None or sharepoint_path is None:
            continue
        relative = sharepoint_path.removeprefix(prefix)
        if procore_path.rsplit("/", 1)[-1] != relative.rsplit("/", 1)[-1]:
            renamed.append(Renamed(procore_path, relative))
    return sorted(renamed, key=lambda r: r.procore_path)


@dataclass
class FolderTally:
    files: int = 0
    bytes: int = 0


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def landing_tree(
    sharepoint_items: list[dict[str, Any]],
    sharepoint_root: str,
    depth: int = 2,
    shown_per_folder: int = 6,
) -> list[str]:
    """The top levels under `sharepoint_root`, each folder with the files (and bytes) it holds,
    sub-folders included; past `shown_per_folder` sub-folders, the rest is counted."""
    prefix = sharepoint_root.rstrip("/") + "/"
    tallies: dict[str, FolderTally] = {}
    folders: set[str] = set()
    for item in sharepoint_items:
        if not item["path"].startswith(prefix):
            continue
        parts = item["path"][len(prefix) :].split("/")
        if item["folder"]:
            if len(parts) <= depth:
                folders.add("/".join(parts))
            continue
        for level in range(1, min(len(parts) - 1, depth) + 1):
            tally = tallies.setdefault("/".join(parts[:level]), FolderTally())
            tally.files += 1
            tally.bytes += int(item.get("size") or 0)
    top_files = Counter(
        "/" in item["path"][len(prefix) :]
        for item in sharepoint_items
        if item["path"].startswith(prefix) and not item["folder"]
    )
    lines = [f"{sharepoint_root}/"]
    shown: Counter[str] = Counter()
    for folder in sorted(folders, key=str.casefold):
        parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
        shown[parent] += 1
        indent = "    " * folder.count("/")
        if parent and shown[parent] > shown_per_folder:
            if shown[parent] == shown_per_folder + 1:
                more = sum(1 for f in folders if f.startswith(parent + "/")) - shown_per_folder
                lines.append(f"  {indent}… and {more} more folders")
            continue
        tally = tallies.get(folder, FolderTally())
        name = folder.rsplit("/", 1)[-1]
        what = f"{_files(tally.files)}, {human_bytes(tally.bytes)}" if tally.files else "empty"
        lines.append(f"  {indent}{name}/  ({what})")
    if top_files[False]:
        lines.append(f"  ({_files(top_files[False])} directly in the folder)")
    return lines
