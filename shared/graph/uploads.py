"""File uploads: one PUT for small files, resumable upload sessions for large ones (API-NOTES B2).

Upload sessions stream the source in chunks of GRAPH_UPLOAD_CHUNK_BYTES (a multiple of 320 KiB,
under 60 MiB), in order, with `Content-Range`, and never send the bearer token to the upload URL.
Only one chunk is held in memory. After a dropped or failed chunk the session's
`nextExpectedRanges` says where to continue; the rest of the held chunk is resent from there.
`fileSystemInfo` travels in the session's `item` body, so Procore's timestamps are kept without an
extra PATCH. The QuickXorHash of what was sent is computed on the way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from shared.errors import ApiError, InvalidRequest, NotFound, TransientError
from shared.graph.failures import SERVICE
from shared.graph.models import ConflictBehavior, DriveItem, UploadResult, UploadSession
from shared.graph.paths import item_path, item_relative
from shared.graph.quickxor import QuickXorHash
from shared.graph.transport import GraphHttp

log = logging.getLogger(__name__)

SEND_PIECE_BYTES = 256 * 1024
RESUME_ATTEMPTS = 3
"""Status queries + resends per chunk before the upload gives up with `TransientError`."""


class Source(Protocol):
    """Where upload bytes come from: a binary file or any object with `read(n)`."""

    def read(self, size: int, /) -> bytes: ...


def _read_exactly(source: Source, size: int) -> bytes:
    first = source.read(size)
    if len(first) == size or not first:
        return first
    parts = [first]
    got = len(first)
    while got < size:
        more = source.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _pieces(data: bytes) -> Iterator[bytes]:
    """The chunk as small pieces: httpcore copies the unsent rest of a buffer after every
    socket write, which for one 10 MiB buffer means quadratic copying and a second copy held."""
    view = memoryview(data)
    for start in range(0, len(view), SEND_PIECE_BYTES):
        yield bytes(view[start : start + SEND_PIECE_BYTES])


def _file_system_info(created: datetime | None, modified: datetime | None) -> dict[str, str] | None:
    info: dict[str, str] = {}
    if created is not None:
        info["createdDateTime"] = created.isoformat().replace("+00:00", "Z")
    if modified is not None:
        info["lastModifiedDateTime"] = modified.isoformat().replace("+00:00", "Z")
    return info or None


def _next_start(ranges: list[str]) -> int | None:
    """The first byte the session still expects (`"12345-"` or `"0-999"` → 12345 / 0)."""
    if not ranges:
        return None
    return int(ranges[0].split("-", 1)[0])


def upload_small(
    http: GraphHttp,
    drive_id: str,
    *,
    data: bytes,
    parent_id: str | None = None,
    name: str | None = None,
    item_id: str | None = None,
    conflict_behavior: ConflictBehavior = "fail",
    if_match: str | None = None,
) -> UploadResult:
    """One `PUT .../content`: a new file under `parent_id`/`name`, or new content for `item_id`."""
    headers = {"Content-Type": "application/octet-stream"}
    params: dict[str, str] = {}
    if item_id is not None:
        url = f"{item_path(drive_id, item_id)}/content"
    elif parent_id is not None and name is not None:
        url = f"{item_relative(drive_id, parent_id, name)}:/content"
        params["@microsoft.graph.conflictBehavior"] = conflict_behavior
    else:
        raise ValueError("upload_small needs item_id, or parent_id and name")
    if if_match is not None:
        headers["If-Match"] = if_match
    response = http.send("PUT", url, params=params, content=data, headers=headers)
    return UploadResult(
        item=DriveItem.model_validate(response.json()),
        sent_bytes=len(data),
        sent_quick_xor_hash=QuickXorHash(data).base64(),
    )


class SessionUpload:
    """One resumable upload: create the session, send the chunks, return the stored item."""

    def __init__(self, http: GraphHttp, chunk_bytes: int) -> None:
        self._http = http
        self._chunk = chunk_bytes

    def create(
        self,
        drive_id: str,
        *,
        size: int,
        parent_id: str | None = None,
        name: str | None = None,
        item_id: str | None = None,
        conflict_behavior: ConflictBehavior = "fail",
        if_match: str | None = None,
        created: datetime | None = None,
        modified: datetime | None = None,
    ) -> UploadSession:
        item: dict[str, Any] = {"@microsoft.graph.conflictBehavior": conflict_behavior}
        if item_id is not None:
            url = f"{item_path(drive_id, item_id)}/createUploadSession"
        elif parent_id is not None and name is not None:
            url = f"{item_relative(drive_id, parent_id, name)}:/createUploadSession"
            item["name"] = name
        else:
            raise ValueError("an upload session needs item_id, or parent_id and name")
        item["fileSize"] = size
        info = _file_system_info(created, modified)
        if info:
            item["fileSystemInfo"] = info
        headers = {"If-Match": if_match} if if_match is not None else None
        response = self._http.send("POST", url, json={"item": item}, headers=headers, retries=0)
        return UploadSession.model_validate(response.json())

    def status(self, session: UploadSession) -> UploadSession:
        """The session's state (`nextExpectedRanges`); 404 means it is gone."""
        response = self._http.send("GET", session.upload_url, auth=False)
        body = response.json()
        body.setdefault("uploadUrl", session.upload_url)
        return UploadSession.model_validate(body)

    def cancel(self, session: UploadSession) -> None:
        try:
            self._http.send("DELETE", session.upload_url, auth=False, retries=0)
        except ApiError as exc:
            log.info("upload session cancel failed", extra={"error": str(exc)})

    def _put(self, session: UploadSession, start: int, data: bytes, total: int) -> Any:
        end = start + len(data) - 1
        response = self._http.send(
            "PUT",
            session.upload_url,
            content=_pieces(data),
            headers={
                "Content-Length": str(len(data)),
                "Content-Range": f"bytes {start}-{end}/{total}",
            },
            auth=False,
            ok=(200, 201, 202),
            retries=0,
        )
        return response.json()

    def send(self, session: UploadSession, source: Source, size: int) -> UploadResult:
        """Stream `size` bytes from `source` into the session; cancel it if the upload fails."""
        try:
            return self._send(session, source, size)
        except NotFound as exc:
            raise TransientError(
                f"upload session expired or was cancelled; start the upload again ({exc})",
                service=SERVICE,
                status=exc.status,
                code=exc.code,
            ) from None
        except BaseException:
            self.cancel(session)
            raise

    def _send(self, session: UploadSession, source: Source, size: int) -> UploadResult:
        hasher = QuickXorHash()
        offset = 0
        while offset < size:
            data = _read_exactly(source, min(self._chunk, size - offset))
            if not data:
                raise InvalidRequest(
                    f"upload source ended at byte {offset} of {size}", service=SERVICE
                )
            hasher.update(data)
            body = self._send_chunk(session, offset, data, size)
            offset += len(data)
            del data  # hold one chunk at a time, not two while the next is read
            if body is not None and "id" in body:
                if offset != size:
                    raise ApiError(
                        f"upload committed after {offset} of {size} bytes", service=SERVICE
                    )
                return UploadResult(
                    item=DriveItem.model_validate(body),
                    sent_bytes=size,
                    sent_quick_xor_hash=hasher.base64(),
                )
        raise TransientError("upload session did not commit the last chunk", service=SERVICE)

    def _send_chunk(self, session: UploadSession, start: int, data: bytes, total: int) -> Any:
        """Send one held chunk; after a failure, resend whatever part the session still lacks."""
        position = start
        end = start + len(data)
        for attempt in range(RESUME_ATTEMPTS + 1):
            try:
                return self._put(session, position, data[position - start :], total)
            except (TransientError, InvalidRequest) as exc:
                if isinstance(exc, InvalidRequest) and exc.status != 416:
                    raise
                if attempt == RESUME_ATTEMPTS:
                    raise TransientError(
                        f"upload chunk at byte {start} failed {attempt + 1} times: {exc}",
                        service=SERVICE,
                    ) from None
                log.info(
                    "upload chunk failed; resuming",
                    extra={"offset": position, "status": exc.status, "code": exc.code},
                )
            next_start = _next_start(self.status(session).next_expected_ranges)
            if next_start is None or next_start == end:
                return None  # the session holds the whole chunk
            if not start <= next_start < end:
                raise TransientError(
                    f"upload session expects byte {next_start}, outside the held chunk "
                    f"{start}-{end - 1}; start the upload again",
                    service=SERVICE,
                )
            position = next_start
        return None
