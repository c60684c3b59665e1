"""Drive delta (API-NOTES B3): root only, nextLink/deltaLink, `token=latest`, 410 resync.

Tokens are opaque base64 JSON: `{"g": generation, "s": since-seq}` for a delta link,
`{"g", "c": cursor id}` for a page of the initial enumeration, `{"g", "s", "a": after-seq,
"u": up-to-seq}` for a later page of changes. A resync bumps the drive's generation, so every
older token answers 410.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import Any
from urllib.parse import quote

from .errors import GraphError
from .graph_request import GraphResponse
from .model import Drive, Item
from .render import deleted_json, item_json
from .store import GraphStore


def encode_token(data: dict[str, Any]) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return raw.decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def resync_error(base_url: str, drive: Drive) -> GraphError:
    return GraphError(
        410,
        "resyncRequired",
        "The delta token is expired or invalid; resynchronize from the Location URL.",
        "resyncChangesApplyDifferences",
        headers={"Location": f"{base_url}/v1.0/drives/{quote(drive.id)}/root/delta"},
    )


def _tree_order(store: GraphStore, drive: Drive) -> list[str]:
    ordered: list[str] = []
    queue: list[Item] = [drive.items[drive.root_id]]
    while queue:
        item = queue.pop(0)
        ordered.append(item.id)
        if item.folder:
            queue.extend(store.sorted_children(drive, item))
    return ordered


def delta_page(
    store: GraphStore,
    drive: Drive,
    base_url: str,
    token: str | None,
    top: int,
    select: list[str] | None,
) -> GraphResponse:
    link = f"{base_url}/v1.0/drives/{quote(drive.id)}/root/delta"
    gen = drive.delta_generation
    if token == "latest":
        return GraphResponse(
            200,
            {
                "value": [],
                "@odata.deltaLink": f"{link}?token={encode_token({'g': gen, 's': drive.seq})}",
            },
        )
    values: list[dict[str, Any]] = []
    if token is None:
        cursor_id = secrets.token_hex(8)
        drive.delta_cursors[cursor_id] = (_tree_order(store, drive), drive.seq)
        state: dict[str, Any] = {"g": gen, "c": cursor_id}
    else:
        decoded = decode_token(token)
        if decoded is None or decoded.get("g") != gen:
            raise resync_error(base_url, drive)
        state = decoded
    if "c" in state:
        cursor = drive.delta_cursors.get(str(state["c"]))
        if cursor is None:
            raise resync_error(base_url, drive)
        remaining, upto = cursor
        page, rest = remaining[:top], remaining[top:]
        for item_id in page:
            item = drive.items.get(item_id)
            if item is not None:
                values.append(
                    item_json(store, drive, item, base_url, select=select, for_delta=True)
                )
        if rest:
            drive.delta_cursors[str(state["c"])] = (rest, upto)
            return GraphResponse(
                200,
                {
                    "value": values,
                    "@odata.nextLink": f"{link}?token={encode_token(state)}&$top={top}",
                },
            )
        drive.delta_cursors.pop(str(state["c"]), None)
        final = encode_token({"g": gen, "s": upto})
        return GraphResponse(200, {"value": values, "@odata.deltaLink": f"{link}?token={final}"})
    try:
        since = int(state["s"])
        after = int(state.get("a", since))
        upto = int(state.get("u", drive.seq))
    except (KeyError, TypeError, ValueError):
        raise resync_error(base_url, drive) from None
    changed: list[tuple[int, dict[str, Any]]] = []
    for item in drive.items.values():
        if after < item.seq <= upto:
            changed.append(
                (item.seq, item_json(store, drive, item, base_url, select=select, for_delta=True))
            )
    for stone in drive.tombstones.values():
        if after < stone.seq <= upto:
            changed.append((stone.seq, deleted_json(drive, stone.id, stone.parent_id)))
    changed.sort(key=lambda pair: pair[0])
    page_items = changed[:top]
    values = [entry for _, entry in page_items]
    if len(changed) > top:
        next_state = {"g": gen, "s": since, "a": page_items[-1][0], "u": upto}
        return GraphResponse(
            200,
            {
                "value": values,
                "@odata.nextLink": f"{link}?token={encode_token(next_state)}&$top={top}",
            },
        )
    final = encode_token({"g": gen, "s": upto})
    return GraphResponse(200, {"value": values, "@odata.deltaLink": f"{link}?token={final}"})
