"""Upload sessions (API-NOTES A6): v1.1 direct/segmented and v2.1 unified uploads.

Bytes of each part are kept so a test can compare them end to end. A finished upload is attached
once, by `file[upload_uuid]` on `/files` or `/file_versions` (or `image[upload_uuid]`).
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field

from emulators.procore.api_errors import ApiError, field_error
from emulators.procore.content import Content, StoredContent
from emulators.procore.emulator import Emulator
from emulators.procore.model import Scope

MIB = 1024 * 1024
V1_MIN_SEGMENT = 5 * MIB  # S3 multipart rule: >= 5 MiB except the last
V1_MAX_SEGMENT = 5 * 1024 * MIB
V2_MIN_PART = 5 * MIB + 1  # documented: exactly 5 MiB is rejected
V2_MAX_PART = 100 * MIB
V2_MAX_PARTS = 10_000
ATTACH_WITHIN_S = 24 * 3600


@dataclass
class Part:
    size: int | None
    sha256_hex: str | None
    etag: str | None = None
    data: bytes | None = None

    @property
    def checksum_b64(self) -> str | None:
        if self.sha256_hex is None:
            return None
        return base64.b64encode(bytes.fromhex(self.sha256_hex)).decode()


@dataclass
class Upload:
    id: str
    api: str  # "v1.1" or "v2.1"
    scope: Scope
    segmented: bool
    file_name: str
    content_type: str
    file_size: int | None
    created_at: float
    parts: list[Part] = field(default_factory=list)
    status: str = "ready"
    content: Content | None = None
    attached: bool = False


def etag_of(data: bytes) -> str:
    return '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'


def uploads(emu: Emulator) -> dict[str, Upload]:
    store: dict[str, Upload] = emu.uploads
    return store


def complete(upload: Upload) -> None:
    upload.content = StoredContent(b"".join(p.data or b"" for p in upload.parts))
    for part in upload.parts:
        part.data = None
    upload.status = "complete"


def claim_upload(emu: Emulator, upload_id: str, scope: Scope) -> Content:
    upload = uploads(emu).get(upload_id)
    if upload is None or upload.scope.company_id != scope.company_id:
        raise field_error(422, "upload_uuid", "is not a known upload")
    if upload.scope.project_id is not None and upload.scope.project_id != scope.project_id:
        raise field_error(422, "upload_uuid", "belongs to another project")
    if upload.status not in ("complete", "available") or upload.content is None:
        raise field_error(422, "upload_uuid", "upload is not complete")
    if upload.attached:
        raise field_error(422, "upload_uuid", "upload has already been used")
    if time.time() > upload.created_at + ATTACH_WITHIN_S:
        raise field_error(422, "upload_uuid", "upload has expired")
    upload.attached = True
    return upload.content


def check_v2_parts(file_size: int, parts: list[Part]) -> None:
    if not parts:
        raise field_error(422, "segments", "at least one segment is required")
    if len(parts) > V2_MAX_PARTS:
        raise field_error(422, "segments", f"at most {V2_MAX_PARTS} segments")
    for index, part in enumerate(parts):
        if part.size is None or part.size < 1:
            raise field_error(422, "segments", f"segment {index}: size is required")
        if not part.sha256_hex:
            raise field_error(422, "segments", f"segment {index}: sha256 is required")
        if part.size > V2_MAX_PART:
            raise field_error(422, "segments", f"segment {index}: larger than 100 MiB")
        if index < len(parts) - 1 and part.size < V2_MIN_PART:
            raise field_error(422, "segments", f"segment {index}: must be larger than 5 MiB")
    if sum(p.size or 0 for p in parts) != file_size:
        raise field_error(422, "file_size", "does not match the sum of segment sizes")


def check_v1_segments(parts: list[Part]) -> None:
    if not parts:
        raise field_error(422, "segments", "at least one segment is required")
    for index, part in enumerate(parts):
        if part.size is None or part.size < 1:
            raise field_error(422, "segments", f"segment {index}: size is required")
        if part.size > V1_MAX_SEGMENT:
            raise field_error(422, "segments", f"segment {index}: larger than 5 GB")
        if index < len(parts) - 1 and part.size < V1_MIN_SEGMENT:
            raise field_error(422, "segments", f"segment {index}: must be at least 5 MB")


def parse_sha(value: object, where: str) -> str | None:
    if value is None:
        return None
    text = str(value).lower()
    try:
        if len(bytes.fromhex(text)) == 32:
            return text
    except ValueError:
        pass
    raise ApiError(422, {"errors": {where: ["sha256 must be 64 hex characters"]}})
