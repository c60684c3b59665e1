"""File content on disk: each version's bytes are one file in a temporary directory.

Content is spooled to disk so that a 1 GiB upload does not live in the emulator's memory.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .quickxor import QuickXorHash

OFFICE_EXTENSIONS = (".docx", ".xlsx", ".pptx")


@dataclass(frozen=True)
class Blob:
    path: Path
    size: int
    quick_xor_hash: str

    def read(self) -> bytes:
        return self.path.read_bytes()


class BlobStore:
    """Writes content files and computes their QuickXorHash while writing."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="graph-emulator-"))
        self.root.mkdir(parents=True, exist_ok=True)

    def new_path(self) -> Path:
        return self.root / uuid.uuid4().hex

    def from_bytes(self, data: bytes) -> Blob:
        path = self.new_path()
        path.write_bytes(data)
        hasher = QuickXorHash()
        hasher.update(data)
        return Blob(path, len(data), hasher.b64digest())

    def from_file(self, path: Path) -> Blob:
        """Adopt a fully written spool file (hash read back in chunks)."""
        hasher = QuickXorHash()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(8 * 1024 * 1024):
                hasher.update(chunk)
                size += len(chunk)
        return Blob(path, size, hasher.b64digest())

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def office_rewrite(store: BlobStore, blob: Blob, name: str, stamp: str) -> Blob:
    """SharePoint promotes properties into uploaded Office files, changing size and hash.

    API-NOTES B2 ([3P]): a valid .docx/.xlsx/.pptx (zip) gets an extra part holding the upload
    time, so the stored bytes differ from what was sent, and differ on each upload.
    """
    if not name.lower().endswith(OFFICE_EXTENSIONS) or blob.size > 512 * 1024 * 1024:
        return blob
    try:
        with zipfile.ZipFile(blob.path) as source:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for info in source.infolist():
                    if info.filename != "docProps/sharepoint.xml":
                        target.writestr(info, source.read(info))
                target.writestr(
                    "docProps/sharepoint.xml",
                    f'<?xml version="1.0"?><sp uploaded="{stamp}" nonce="{os.urandom(4).hex()}"/>',
                )
    except (zipfile.BadZipFile, OSError, ValueError):
        return blob
    return store.from_bytes(out.getvalue())
