"""Create a folder tree with JSON batching (API-NOTES B5): ≤20 requests per `$batch`.

A folder whose parent is created in the same batch names it by path (`items/{base}:/a/b:/children`)
and `dependsOn` the parent's request, so parents are made before children. A folder that already
exists (409 `nameAlreadyExists`) counts as made: it is looked up by path, also in batches. A
member that failed only because its dependency did (424) is sent again in the next round, when
its parent exists. Mirror mode runs this before any file is copied (DESIGN §1).
"""

from __future__ import annotations

from typing import Any

from shared.errors import ApiError, Conflict
from shared.graph.failures import SERVICE, envelope_of, error_codes, error_from
from shared.graph.models import BatchAnswer, BatchResponse, DriveItem
from shared.graph.paths import clean_path, item_path, item_relative, name_of, parent_of
from shared.graph.transport import GraphHttp

BATCH_LIMIT = 20


def _with_ancestors(paths: list[str]) -> list[str]:
    wanted: set[str] = set()
    for raw in paths:
        path = clean_path(raw)
        while path:
            wanted.add(path)
            path = parent_of(path)
    return sorted(wanted, key=lambda p: (p.count("/"), p.lower()))


def send_batch(http: GraphHttp, requests: list[dict[str, Any]]) -> dict[str, BatchResponse]:
    """POST one `$batch` (at most 20 members); answers by member id."""
    if len(requests) > BATCH_LIMIT:
        raise ValueError(f"a $batch holds at most {BATCH_LIMIT} requests")
    body = http.send("POST", "/$batch", json={"requests": requests}, ok=(200,)).json()
    answer = BatchAnswer.model_validate(body)
    return {member.id: member for member in answer.responses}


def _member_error(member: BatchResponse, what: str) -> ApiError:
    return error_from(member.status, member.headers, member.body, what=what)


def _is_name_taken(member: BatchResponse) -> bool:
    return member.status == 409 and "nameAlreadyExists" in error_codes(envelope_of(member.body))


def create_folder_tree(
    http: GraphHttp, drive_id: str, base_id: str, paths: list[str]
) -> dict[str, DriveItem]:
    """Make every folder in `paths` (relative to folder `base_id`) and its ancestors.

    Returns every folder by its clean relative path, whether made now or already there.
    """
    made: dict[str, DriveItem] = {}
    pending = _with_ancestors(paths)
    while pending:
        to_look_up: list[str] = []
        batch: list[dict[str, Any]] = []
        ids: dict[str, str] = {}
        for path in pending:
            if len(batch) == BATCH_LIMIT:
                break
            parent = parent_of(path)
            if parent and parent not in made and parent not in ids:
                continue
            member_id = str(len(batch) + 1)
            if not parent:
                url = f"{item_path(drive_id, base_id)}/children"
            elif parent in made:
                url = f"{item_path(drive_id, made[parent].id)}/children"
            else:
                url = f"{item_relative(drive_id, base_id, parent)}:/children"
            request: dict[str, Any] = {
                "id": member_id,
                "method": "POST",
                "url": url,
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "name": name_of(path),
                    "folder": {},
                    "@microsoft.graph.conflictBehavior": "fail",
                },
            }
            if parent in ids:
                request["dependsOn"] = [ids[parent]]
            ids[path] = member_id
            batch.append(request)
        if not batch:
            raise ApiError("folder tree: no folder could be requested", service=SERVICE)
        answers = send_batch(http, batch)
        progressed = False
        for path, member_id in ids.items():
            member = answers.get(member_id)
            if member is None:
                raise ApiError(f"$batch answer lacks member {member_id}", service=SERVICE)
            if member.status in (200, 201):
                made[path] = DriveItem.model_validate(member.body)
                progressed = True
            elif _is_name_taken(member):
                to_look_up.append(path)
                progressed = True
            elif member.status != 424:
                raise _member_error(member, f"create folder {path!r}")
        for path, item in _look_up(http, drive_id, base_id, to_look_up).items():
            made[path] = item
        if not progressed:
            raise ApiError("folder tree: a batch round made no progress", service=SERVICE)
        pending = [path for path in pending if path not in made]
    return made


def _look_up(
    http: GraphHttp, drive_id: str, base_id: str, paths: list[str]
) -> dict[str, DriveItem]:
    """Existing folders by path, in batches; a file in the way is a `Conflict`."""
    found: dict[str, DriveItem] = {}
    for first in range(0, len(paths), BATCH_LIMIT):
        chunk = paths[first : first + BATCH_LIMIT]
        requests = [
            {"id": str(n), "method": "GET", "url": item_relative(drive_id, base_id, path)}
            for n, path in enumerate(chunk, start=1)
        ]
        answers = send_batch(http, requests)
        for n, path in enumerate(chunk, start=1):
            member = answers[str(n)]
            if member.status != 200:
                raise _member_error(member, f"look up folder {path!r}")
            item = DriveItem.model_validate(member.body)
            if not item.is_folder:
                raise Conflict(
                    f"folder tree: {path!r} exists and is a file",
                    service=SERVICE,
                    status=409,
                    code="nameAlreadyExists",
                )
            found[path] = item
    return found
