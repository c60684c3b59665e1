"""File bodies: bytes that were uploaded, or bytes derived from a seed on every read.

Large seeds (100,000 files) must not hold bodies in memory, yet every read of a file must give the
same bytes and exactly the advertised size: `DerivedContent` repeats a block generated from its
seed, so only the seed and the size are stored.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredContent:
    """Bytes kept as received (uploads, small literal seeds)."""

    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        stop = self.size if end is None else end
        for offset in range(start, stop, CHUNK):
            yield self.data[offset : min(offset + CHUNK, stop)]


@dataclass(frozen=True, slots=True)
class DerivedContent:
    """`size` bytes made from `seed`: a pseudo-random block repeated (never stored)."""

    seed: int
    size: int

    def _block(self) -> bytes:
        return random.Random(self.seed).randbytes(max(1, min(self.size, CHUNK)))

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        stop = self.size if end is None else end
        block = self._block()
        length = len(block)
        offset = start
        while offset < stop:
            at = offset % length
            piece = block[at : min(length, at + stop - offset)]
            yield piece
            offset += len(piece)


Content = StoredContent | DerivedContent


def read_all(content: Content) -> bytes:
    return b"".join(content.chunks())


def sha256_hex(content: Content) -> str:
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def seed_for(*parts: object) -> int:
    """A stable 64-bit seed from any identifying parts (path, ids)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")
