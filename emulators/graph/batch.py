"""JSON batching (API-NOTES B5): ≤20 members, dependsOn ordering, 424 for failed dependencies.

Members run through the same Graph handler; each is charged and throttled on its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .errors import GraphError
from .graph_request import GraphRequest, GraphResponse

MAX_MEMBERS = 20

Handler = Callable[[GraphRequest], Awaitable[GraphResponse]]


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _validate(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise _bad("The batch body must hold a 'requests' array.")
    members: list[dict[str, Any]] = body["requests"]
    if not members:
        raise _bad("The batch holds no requests.")
    if len(members) > MAX_MEMBERS:
        raise _bad(f"A batch may hold at most {MAX_MEMBERS} requests.")
    ids: set[str] = set()
    for member in members:
        if not isinstance(member, dict):
            raise _bad("Each batch request must be an object.")
        member_id = member.get("id")
        if not isinstance(member_id, str) or not member_id:
            raise _bad("Each batch request needs an 'id'.")
        if member_id in ids:
            raise _bad(f"Duplicate batch request id '{member_id}'.")
        ids.add(member_id)
        if not isinstance(member.get("method"), str) or not isinstance(member.get("url"), str):
            raise _bad(f"Batch request '{member_id}' needs 'method' and 'url'.")
        headers = member.get("headers") or {}
        if not isinstance(headers, dict):
            raise _bad(f"Batch request '{member_id}': headers must be an object.")
        if "body" in member and not any(k.lower() == "content-type" for k in headers):
            raise _bad(f"Batch request '{member_id}': Content-Type header is required with a body.")
    for member in members:
        depends = member.get("dependsOn") or []
        if not isinstance(depends, list) or any(d not in ids for d in depends):
            raise _bad(f"Batch request '{member['id']}' depends on an unknown id.")
    return members


async def run_batch(outer: GraphRequest, handle: Handler) -> GraphResponse:
    try:
        body = json.loads(outer.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _bad("Unable to read JSON request payload.") from None
    members = _validate(body)
    done: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    remaining = list(members)
    while remaining:
        ready = [m for m in remaining if all(d in done for d in (m.get("dependsOn") or []))]
        if not ready:
            raise _bad("The dependsOn graph has a cycle.")
        for member in ready:
            remaining.remove(member)
            depends = member.get("dependsOn") or []
            if any(not 200 <= done[d] < 300 for d in depends):
                result = GraphResponse(
                    424,
                    GraphError(424, "failedDependency", "A dependency failed.").body(
                        str(uuid.uuid4()), str(uuid.uuid4())
                    ),
                )
            else:
                result = await _run_member(outer, member, handle)
            done[member["id"]] = result.status
            entry: dict[str, Any] = {"id": member["id"], "status": result.status}
            headers = dict(result.headers)
            if result.json is not None:
                headers.setdefault("Content-Type", "application/json")
                entry["body"] = result.json
            entry["headers"] = headers
            responses.append(entry)
    return GraphResponse(200, {"responses": responses})


async def _run_member(
    outer: GraphRequest, member: dict[str, Any], handle: Handler
) -> GraphResponse:
    parts = urlsplit(member["url"])
    path = parts.path.lstrip("/")
    if path.startswith("v1.0/"):
        path = path[len("v1.0/") :]
    headers = {k.lower(): str(v) for k, v in (member.get("headers") or {}).items()}
    raw_body = member.get("body")
    if raw_body is None:
        body = b""
    elif isinstance(raw_body, str):
        body = raw_body.encode()
    else:
        body = json.dumps(raw_body).encode()
    request = GraphRequest(
        method=member["method"].upper(),
        path=path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body,
        base_url=outer.base_url,
        app=outer.app,
    )
    try:
        if path.startswith("$batch"):
            raise _bad("A batch cannot contain a batch.")
        return await handle(request)
    except GraphError as error:
        request_id = str(uuid.uuid4())
        return GraphResponse(error.status, error.body(request_id, request_id), dict(error.headers))
