"""File content going up to Procore, in bounded memory whatever the size (API-NOTES A6).

Small files go in one multipart POST. Larger ones go through the uploads endpoints: parts of
`PROCORE_UPLOAD_PART_BYTES` (> 5 MiB, A6), each with its SHA-256 computed in a first streaming
pass, PUT to presigned URLs with exactly the returned headers and no token, then completed with the
ETags in order. The upload id is then attached to a file (`file[upload_uuid]`).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from shared.errors import InvalidRequest, TransientError
from shared.procore.error_mapping import SERVICE
from shared.procore.scope import Scope
from shared.procore.session import ProcoreSession

READ_CHUNK_BYTES = 1024 * 1024


class UploadSource:
    """Content to upload: its size and a way to (re)open it as a binary stream.

    It may be read more than once (hashing pass, sending pass, a retried part), so it is an
    opener, not a stream. `from_chunks` spools a one-shot iterator to a temporary file.
    """

    def __init__(self, size: int, opener: Callable[[], IO[bytes]], cleanup: Path | None = None):
        if size < 0:
            raise ValueError("upload size must not be negative")
        self.size = size
        self._opener = opener
        self._cleanup = cleanup

    @classmethod
    def from_bytes(cls, data: bytes) -> UploadSource:
        import io

        return cls(len(data), lambda: io.BytesIO(data))

    @classmethod
    def from_path(cls, path: str | Path) -> UploadSource:
        p = Path(path)
        return cls(p.stat().st_size, lambda: p.open("rb"))

    @classmethod
    def from_chunks(cls, chunks: Iterable[bytes], size: int) -> UploadSource:
        """Spool an iterator of chunks (read once) to disk, checking it holds `size` bytes."""
        with tempfile.NamedTemporaryFile(prefix="procore-upload-", delete=False) as spool:
            written = 0
            for chunk in chunks:
                spool.write(chunk)
                written += len(chunk)
        path = Path(spool.name)
        if written != size:
            path.unlink(missing_ok=True)
            raise ValueError(f"upload source held {written} bytes, not the announced {size}")
        return cls(size, lambda: path.open("rb"), cleanup=path)

    def open(self) -> IO[bytes]:
        return self._opener()

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup.unlink(missing_ok=True)

    def read_all(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def read_range(self, offset: int, length: int) -> Iterator[bytes]:
        """`length` bytes from `offset`, in chunks."""
        with self.open() as stream:
            if stream.seekable():
                stream.seek(offset)
            else:
                _skip(stream, offset)
            left = length
            while left > 0:
                chunk = stream.read(min(READ_CHUNK_BYTES, left))
                if not chunk:
                    raise InvalidRequest(
                        "upload source ended before its announced size", service=SERVICE
                    )
                left -= len(chunk)
                yield chunk


def _skip(stream: IO[bytes], count: int) -> None:
    left = count
    while left > 0:
        chunk = stream.read(min(READ_CHUNK_BYTES, left))
        if not chunk:
            return
        left -= len(chunk)


@dataclass(frozen=True)
class Part:
    offset: int
    size: int
    sha256: str
    md5: str


@dataclass(frozen=True)
class PartPlan:
    parts: list[Part]
    sha256: str
    md5: str


def plan_parts(source: UploadSource, part_bytes: int) -> PartPlan:
    """Split into parts and hash each (and the whole) in one streaming pass."""
    whole_sha, whole_md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    parts: list[Part] = []
    offset = 0
    with source.open() as stream:
        while offset < source.size or (source.size == 0 and not parts):
            size = min(part_bytes, source.size - offset)
            part_sha, part_md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
            left = size
            while left > 0:
                chunk = stream.read(min(READ_CHUNK_BYTES, left))
                if not chunk:
                    raise InvalidRequest(
                        "upload source ended before its announced size", service=SERVICE
                    )
                for digest in (part_sha, part_md5, whole_sha, whole_md5):
                    digest.update(chunk)
                left -= len(chunk)
            parts.append(Part(offset, size, part_sha.hexdigest(), part_md5.hexdigest()))
            offset += size
            if size == 0:
                break
    return PartPlan(parts, whole_sha.hexdigest(), whole_md5.hexdigest())


def _uploads_path(scope: Scope, version: str) -> str:
    if version == "v2.1":
        if scope.is_company:
            return f"/rest/v2.1/companies/{scope.company_id}/uploads"
        return f"/rest/v2.1/companies/{scope.company_id}/projects/{scope.project_id}/uploads"
    if scope.is_company:
        return f"/rest/v1.1/companies/{scope.company_id}/uploads"
    return f"/rest/v1.1/projects/{scope.project_id}/uploads"


def _put_parts(
    session: ProcoreSession,
    source: UploadSource,
    plan: PartPlan,
    targets: list[dict[str, Any]],
) -> list[str]:
    if len(targets) != len(plan.parts):
        raise TransientError(
            f"Procore returned {len(targets)} part URLs for {len(plan.parts)} parts",
            service=SERVICE,
        )
    etags: list[str] = []
    for part, target in zip(plan.parts, targets, strict=True):
        headers = {str(k): str(v) for k, v in (target.get("headers") or {}).items()}
        response = session.put_presigned(
            str(target["url"]),
            headers=headers,
            body=lambda part=part: source.read_range(part.offset, part.size),  # type: ignore[misc]
            length=part.size,
        )
        etag = response.headers.get("etag")
        if not etag:
            raise TransientError("storage answered a part PUT without an ETag", service=SERVICE)
        etags.append(etag)
    return etags


def upload_segmented(
    session: ProcoreSession,
    scope: Scope,
    source: UploadSource,
    *,
    filename: str,
    content_type: str,
    part_bytes: int,
    flow: str,
    poll_sleep: Callable[[float], None],
) -> str:
    """Upload `source` in parts through the uploads endpoints; return the upload id to attach."""
    plan = plan_parts(source, part_bytes)
    path = _uploads_path(scope, flow)
    segments = [{"size": p.size, "sha256": p.sha256, "md5": p.md5} for p in plan.parts]
    if flow == "v2.1":
        created = session.request(
            "POST",
            path,
            company_id=scope.company_id,
            json={
                "file_name": filename,
                "file_size": source.size,
                "content_type": content_type,
                "sha256": plan.sha256,
                "md5": plan.md5,
                "segments": segments,
            },
        ).json()
        data = created.get("data", created)
        upload_id = str(data["upload_id"])
        etags = _put_parts(session, source, plan, list(data.get("segments") or []))
        session.request(
            "PATCH",
            f"{path}/{upload_id}",
            company_id=scope.company_id,
            json={"part_etags": etags},
        )
        _await_available(session, scope, f"{path}/{upload_id}", poll_sleep)
        return upload_id
    created = session.request(
        "POST",
        path,
        company_id=scope.company_id,
        json={
            "response_filename": filename,
            "response_content_type": content_type,
            "segments": segments,
        },
    ).json()
    upload_id = str(created["uuid"])
    etags = _put_parts(session, source, plan, list(created.get("segments") or []))
    session.request(
        "PATCH",
        f"{path}/{upload_id}",
        company_id=scope.company_id,
        json={"segments": [{"etag": e} for e in etags]},
    )
    return upload_id


def _await_available(
    session: ProcoreSession, scope: Scope, path: str, poll_sleep: Callable[[float], None]
) -> None:
    """v2.1 uploads go ready -> receiving -> complete -> available; wait briefly, never long."""
    for attempt in range(10):
        body = session.request("GET", path, company_id=scope.company_id).json()
        status = body.get("data", body).get("status")
        if status == "available":
            return
        poll_sleep(min(0.1 * 2**attempt, 2.0))
    raise TransientError("Procore upload did not become available in time", service=SERVICE)


def copy_to(chunks: Iterator[bytes], sink: IO[bytes]) -> int:
    """Write a download into a writable; return the byte count."""
    total = 0
    for chunk in chunks:
        sink.write(chunk)
        total += len(chunk)
    return total
