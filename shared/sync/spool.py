"""Content in transit between the sides: spooled to a temporary file, hashed on the way.

A transfer downloads from one side into a `Spool` (memory up to a small threshold, then disk),
computing SharePoint's quickXorHash as the bytes arrive, and uploads from it. Memory stays
bounded whatever the file size, the hash decides whether two files are identical (Procore
exposes none, API-NOTES A5), and a retried upload re-reads the spool instead of downloading again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from shared.graph.quickxor import QuickXorHash
from shared.procore.content import UploadSource


class Spool:
    """A write-once temporary file with its size and quickXorHash."""

    def __init__(self) -> None:
        self._file = tempfile.NamedTemporaryFile(prefix="pss-transfer-", delete=False)  # noqa: SIM115
        self.path = Path(self._file.name)
        self.size = 0
        self._hash = QuickXorHash()
        self._closed = False

    def write(self, data: bytes) -> int:
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)
        return len(data)

    def fill(self, chunks: Iterable[bytes]) -> Spool:
        for chunk in chunks:
            self.write(chunk)
        return self.finish()

    def finish(self) -> Spool:
        if not self._closed:
            self._file.close()
            self._closed = True
        return self

    @property
    def quick_xor(self) -> str:
        return self._hash.base64()

    def reader(self) -> BinaryIO:
        """A fresh binary reader over the content (the Graph client reads with `read(n)`)."""
        self.finish()
        return self.path.open("rb")

    def upload_source(self) -> UploadSource:
        """The content for the Procore client (re-openable for its hashing pass)."""
        self.finish()
        return UploadSource.from_path(self.path)

    def discard(self) -> None:
        self.finish()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()
