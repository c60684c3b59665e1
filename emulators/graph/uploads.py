"""Upload sessions (API-NOTES B2): fragments in order, multiples of 320 KiB, each < 60 MiB.

The upload URL lives on this server under `/_upload/{id}`; it needs no auth and refuses an
Authorization header. Fragments are streamed to a spool file and hashed as they arrive.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .blobs import Blob
from .errors import GraphError
from .model import App, iso, now
from .quickxor import QuickXorHash
from .store import GraphStore

FRAGMENT_UNIT = 320 * 1024
MAX_FRAGMENT = 60 * 1024 * 1024
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


@dataclass
class UploadSession:
    id: str
    app: App
    drive_id: str
    parent_id: str | None
    name: str | None
    target_id: str | None
    behavior: str
    if_match: str | None
    fs_created: dt.datetime | None
    fs_modified: dt.datetime | None
    defer_commit: bool
    spool: Path
    expires_at: dt.datetime
    total: int | None = None
    received: int = 0
    hasher: QuickXorHash = field(default_factory=QuickXorHash)

    def status(self) -> dict[str, Any]:
        ranges = [f"{self.received}-"] if self.total is None or self.received < self.total else []
        return {"expirationDateTime": iso(self.expires_at), "nextExpectedRanges": ranges}


def session_gone() -> GraphError:
    return GraphError(
        404, "itemNotFound", "The upload session was not found.", "uploadSessionNotFound"
    )


class UploadSessions:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.sessions: dict[str, UploadSession] = {}

    def clear(self) -> None:
        for session in self.sessions.values():
            session.spool.unlink(missing_ok=True)
        self.sessions.clear()

    def create(self, **kwargs: Any) -> UploadSession:
        session = UploadSession(
            id=secrets.token_urlsafe(24),
            spool=self.store.blobs.new_path(),
            expires_at=now() + dt.timedelta(seconds=self.store.options.upload_session_ttl_s),
            **kwargs,
        )
        session.spool.touch()
        self.sessions[session.id] = session
        return session

    def get(self, session_id: str) -> UploadSession:
        session = self.sessions.get(session_id)
        if session is None:
            raise session_gone()
        if session.expires_at <= now():
            self.cancel(session_id)
            raise session_gone()
        return session

    def cancel(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is not None:
            session.spool.unlink(missing_ok=True)

    async def put_fragment(
        self,
        session_id: str,
        content_range: str | None,
        content_length: str | None,
        body: AsyncIterator[bytes],
    ) -> tuple[UploadSession, bool]:
        """Append one fragment; returns (session, complete)."""
        session = self.get(session_id)
        match = _RANGE.match((content_range or "").strip())
        if match is None:
            raise GraphError(
                400, "invalidRequest", "A valid Content-Range header is required.", "invalidRange"
            )
        start, end = int(match.group(1)), int(match.group(2))
        total = None if match.group(3) == "*" else int(match.group(3))
        length = end - start + 1
        if end < start or total is None:
            raise GraphError(400, "invalidRequest", "The Content-Range is invalid.", "invalidRange")
        if length >= MAX_FRAGMENT:
            raise GraphError(
                413,
                "invalidRequest",
                "Each fragment must be smaller than 60 MiB.",
                "maxFragmentLengthExceeded",
            )
        if (
            content_length is not None
            and content_length.isdigit()
            and int(content_length) != length
        ):
            raise GraphError(
                400,
                "invalidRequest",
                "Content-Length does not match Content-Range.",
                "fragmentLengthMismatch",
            )
        if session.total is not None and total != session.total:
            raise GraphError(
                400,
                "invalidRequest",
                "The total size must be the same in every fragment.",
                "invalidRange",
            )
        if end >= total:
            raise GraphError(
                400, "invalidRequest", "The range ends past the total.", "invalidRange"
            )
        if start < session.received:
            raise GraphError(
                416,
                "invalidRange",
                f"The fragment overlaps bytes already received; next expected {session.received}.",
                "fragmentOverlap",
            )
        if start > session.received:
            raise GraphError(
                416,
                "invalidRange",
                f"Fragments must be sent in order; next expected {session.received}.",
                "fragmentOutOfOrder",
            )
        is_last = end + 1 == total
        if not is_last and length % FRAGMENT_UNIT:
            raise GraphError(
                400,
                "invalidRequest",
                "Fragment size must be a multiple of 320 KiB (327,680 bytes).",
                "invalidRange",
            )
        written = 0
        saved = session.hasher.copy()
        with session.spool.open("ab") as handle:
            async for chunk in body:
                if written + len(chunk) > length:
                    handle.truncate(session.received)
                    session.hasher = saved
                    raise GraphError(
                        400,
                        "invalidRequest",
                        "The body is longer than the Content-Range.",
                        "fragmentLengthMismatch",
                    )
                handle.write(chunk)
                session.hasher.update(chunk)
                written += len(chunk)
            if written != length:
                handle.truncate(session.received)
                session.hasher = saved
                raise GraphError(
                    400,
                    "invalidRequest",
                    "The body length does not match the Content-Range.",
                    "fragmentLengthMismatch",
                )
        session.total = total
        session.received += length
        session.expires_at = now() + dt.timedelta(seconds=self.store.options.upload_session_ttl_s)
        return session, session.received == total

    def blob_of(self, session: UploadSession) -> Blob:
        return Blob(session.spool, session.received, session.hasher.b64digest())
