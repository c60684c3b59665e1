"""QuickXorHash: the only content hash OneDrive for Business / SharePoint returns (API-NOTES B2).

The published algorithm (OneDrive API docs, "QuickXorHash" code snippet) XORs every byte into a
160-bit circular register, byte `k` of the stream landing at bit `(11 * k) mod 160`; the digest is
the register as 20 little-endian bytes with the total length (a little-endian 64-bit integer)
XORed into its last 8 bytes, and is carried base64-encoded in `file.hashes.quickXorHash`.

Bytes 160 positions apart land on the same bit, so each `update` first folds its input into 160
byte-wise XOR sums (big-integer XOR halving, linear in the input and fast in CPython) and then
rotates only those 160 sums into the register. Memory use is bounded by the size of one update.
"""

from __future__ import annotations

import base64

WIDTH_BITS = 160
SHIFT_BITS = 11
_ROW_BYTES = WIDTH_BITS // 8
_MASK = (1 << WIDTH_BITS) - 1
_UPDATE_BLOCK = 1024 * 1024
"""Large inputs are folded a MiB at a time, so hashing a chunk adds little to peak memory."""


def _fold_positions(data: memoryview) -> list[int]:
    """XOR of the bytes at each of the 160 stream positions modulo 160 (relative to `data`)."""
    sums = [0] * WIDTH_BITS
    if not data:
        return sums
    period = WIDTH_BITS  # bytes whose index differs by 160 share a bit offset
    rows = -(-len(data) // period)
    value = int.from_bytes(data, "little")
    row_bits = period * 8
    while rows > 1:
        half = rows // 2
        low_bits = half * row_bits
        value = (value & ((1 << low_bits) - 1)) ^ (value >> low_bits)
        rows -= half
    folded = value.to_bytes(period, "little")
    for index, byte in enumerate(folded):
        sums[index] = byte
    return sums


class QuickXorHash:
    """Incremental QuickXorHash: `update(bytes)` any number of times, then `digest()`/`base64()`."""

    __slots__ = ("_length", "_register", "_shift")

    def __init__(self, data: bytes | bytearray | memoryview = b"") -> None:
        self._register = 0
        self._shift = 0
        self._length = 0
        if data:
            self.update(data)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Add the next bytes of the stream."""
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _UPDATE_BLOCK):
            self._update(view[start : start + _UPDATE_BLOCK])

    def _update(self, data: memoryview) -> None:
        register = self._register
        for index, byte in enumerate(_fold_positions(data)):
            if byte:
                offset = (self._shift + SHIFT_BITS * index) % WIDTH_BITS
                rotated = (byte << offset) | (byte >> (WIDTH_BITS - offset))
                register ^= rotated & _MASK
        self._register = register
        self._shift = (self._shift + SHIFT_BITS * len(data)) % WIDTH_BITS
        self._length += len(data)

    @property
    def length(self) -> int:
        """How many bytes have been hashed."""
        return self._length

    def digest(self) -> bytes:
        """The 20-byte hash of everything passed to `update` so far."""
        out = bytearray(self._register.to_bytes(_ROW_BYTES, "little"))
        for index, byte in enumerate((self._length & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")):
            out[_ROW_BYTES - 8 + index] ^= byte
        return bytes(out)

    def base64(self) -> str:
        """The hash as Graph reports it (`file.hashes.quickXorHash`)."""
        return base64.b64encode(self.digest()).decode("ascii")


def quick_xor_hash(data: bytes | bytearray | memoryview) -> str:
    """The base64 QuickXorHash of `data`, in one call."""
    return QuickXorHash(data).base64()
