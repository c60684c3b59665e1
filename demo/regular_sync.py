"""The demo's regular sync step: one change on each side, made as a user would, timed until the
other side holds its bytes.

Procore: a new drawing sheet added to a folder (`POST /_emulator/act/files`, which fires the
`Project Files` webhook the admin API registered at connect). SharePoint: the baseline schedule
edited (`POST /_emulator/drives/{d}/actions`, which raises a Graph change notification for the
subscription made at connect). Arrival is read through the emulators' control APIs every
POLL_EVERY_S, so the seconds printed are accurate to that; a change that has not arrived within
CHANGE_DEADLINE_S fails the demo.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devhost.stack import DRIVE, Stack

CHANGE_DEADLINE_S = 30.0
POLL_EVERY_S = 0.2
NEW_SHEET_FOLDER = "Drawings/Architectural"
NEW_SHEET = "A-137 Stair Details.pdf"
NEW_SHEET_BYTES = 96_000
EDITED_FILE = "Schedules/Baseline Schedule.xml"
EDITED_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Project><Name>Harbor View Tower</Name>\n"
    '  <Task id="1" name="Level 3 slab pour" start="2025-06-16" finish="2025-06-18"/>\n'
    '  <Task id="2" name="Curtain wall – east façade" start="2025-06-23" finish="2025-07-11"/>\n'
    "</Project>\n"
)
ACTIVITY_SHOWN = 8
TEXT_SHOWN = 90


@dataclass(frozen=True)
class Arrival:
    what: str
    seconds: float
    procore_id: int | None = None


class ChangeLost(Exception):
    """A change did not reach the other side within the deadline."""


def wait_for(what: str, probe: Callable[[], bool], sent: float, deadline_s: float) -> Arrival:
    """Poll `probe` until it holds; the seconds are counted from `sent` (monotonic)."""
    deadline = sent + deadline_s
    while True:
        if probe():
            return Arrival(what, time.monotonic() - sent)
        if time.monotonic() > deadline:
            raise ChangeLost(f"{what} did not arrive within {deadline_s:g} s")
        time.sleep(POLL_EVERY_S)


def procore_lookup(stack: Stack, project_id: int, path: str) -> dict[str, Any] | None:
    answer = stack.procore.http.get("/lookup", params={"project_id": project_id, "path": path})
    return dict(answer.json()) if answer.status_code == 200 else None


def sharepoint_item(stack: Stack, path: str) -> dict[str, Any] | None:
    answer = stack.graph.http.get(f"/drives/{DRIVE}/item", params={"path": path})
    return dict(answer.json()) if answer.status_code == 200 else None


def add_in_procore(
    stack: Stack, project_id: int, documents_root: str, deadline_s: float
) -> Arrival:
    """A new file in a Procore folder, until SharePoint holds the same bytes."""
    folder = procore_lookup(stack, project_id, NEW_SHEET_FOLDER)
    if folder is None:
        raise ChangeLost(f"Procore folder {NEW_SHEET_FOLDER} not found")
    target = f"{documents_root}/{NEW_SHEET_FOLDER}/{NEW_SHEET}"
    sent = time.monotonic()
    created = stack.procore.call(
        "POST",
        "/act/files",
        {
            "project_id": project_id,
            "parent_id": folder["id"],
            "name": NEW_SHEET,
            "size": NEW_SHEET_BYTES,
        },
    )
    expected = stack.procore.content(int(created["id"]))

    def arrived() -> bool:
        item = sharepoint_item(stack, target)
        return (
            item is not None
            and item.get("size") == len(expected)
            and (stack.graph.content(target) == expected)
        )

    arrival = wait_for(f"{NEW_SHEET_FOLDER}/{NEW_SHEET}", arrived, sent, deadline_s)
    return Arrival(arrival.what, arrival.seconds, int(created["id"]))


def edit_in_sharepoint(
    stack: Stack, project_id: int, documents_root: str, deadline_s: float
) -> Arrival:
    """An edit of a synced file in SharePoint, until Procore holds the same bytes."""
    expected = EDITED_CONTENT.encode()
    sent = time.monotonic()
    stack.graph.act(action="edit", path=f"{documents_root}/{EDITED_FILE}", content=EDITED_CONTENT)

    def arrived() -> bool:
        item = procore_lookup(stack, project_id, EDITED_FILE)
        return (
            item is not None
            and item.get("size") == len(expected)
            and (stack.procore.content(int(item["id"])) == expected)
        )

    return wait_for(EDITED_FILE, arrived, sent, deadline_s)


def procore_deliveries(
    stack: Stack, resource_name: str, event_type: str, resource_id: int | None
) -> list[dict[str, Any]]:
    """Procore's delivery attempts of the webhook events about one resource."""
    answer = stack.procore.call(
        "GET", "/webhooks/deliveries", resource_name=resource_name, event_type=event_type
    )
    return [d for d in answer["deliveries"] if d["event"].get("resource_id") == resource_id]


def graph_notifications(stack: Stack) -> list[dict[str, Any]]:
    return list(stack.graph.call("GET", "/notifications"))


def _short(text: str, limit: int) -> str:
    """`text` cut to `limit` characters in the middle: an error's cause is at its end."""
    if len(text) <= limit:
        return text
    head = limit // 3
    return text[:head] + "…" + text[len(text) - (limit - head - 1) :]


def activity_line(entry: dict[str, Any], repeated: int = 1) -> str:
    """One log entry of the project view (`recent_activity`) as a line: time, what, where, why."""
    at = datetime.fromisoformat(str(entry["at"])).strftime("%H:%M:%S")
    side = {"procore": "in Procore", "sharepoint": "in SharePoint", "both": "on both sides"}.get(
        str(entry.get("side")), ""
    )
    what = _short(str(entry.get("path") or entry.get("name") or ""), TEXT_SHOWN)
    parts = [at, str(entry["action"]), side, what]
    if entry.get("reason"):
        parts.append(f"({_short(str(entry['reason']), TEXT_SHOWN)})")
    if repeated > 1:
        parts.append(f"({repeated} times)")
    return " ".join(part for part in parts if part)


def activity_lines(entries: list[dict[str, Any]], since: datetime, shown: int) -> list[str]:
    """The entries logged at or after `since` (newest first, as the project view lists them),
    an entry repeated by later passes shown once, at its newest, with how often it occurred."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for entry in entries:
        if datetime.fromisoformat(str(entry["at"])) < since:
            continue
        what = (entry.get("path") or entry.get("name") or "", entry.get("reason") or "")
        groups.setdefault((str(entry["action"]), str(entry.get("side")), *what), []).append(entry)
    return [activity_line(same[0], len(same)) for same in list(groups.values())[:shown]]
