"""QuickXorHash, the only content hash SharePoint/OneDrive for Business report (API-NOTES B2).

The published algorithm: a 160-bit register; byte k of the stream is XORed in at bit
(11 * k) mod 160, wrapping around; at the end the 64-bit little-endian length is XORed into the
last 8 of the 20 digest bytes. Bytes 160 apart land on the same shift, so each 160-byte block is
XOR-folded into one "lane" block first (fast with Python big integers), and the rotation is
applied once per lane at the end.
"""

from __future__ import annotations

import base64

WIDTH_BITS = 160
WIDTH_BYTES = 20
BLOCK = 160  # bytes between two positions that share a shift
SHIFT = 11
_MASK160 = (1 << WIDTH_BITS) - 1


def _fold(data: bytes) -> int:
    """XOR of all 160-byte blocks of `data` (whose length is a multiple of 160), as an int."""
    width = len(data)
    value = int.from_bytes(data, "little")
    lanes = 0
    while width > BLOCK:
        blocks = width // BLOCK
        if blocks % 2:
            top = width - BLOCK
            lanes ^= value >> (top * 8)
            value &= (1 << (top * 8)) - 1
            width = top
            continue
        half = width // 2
        value = (value >> (half * 8)) ^ (value & ((1 << (half * 8)) - 1))
        width = half
    return lanes ^ value


class QuickXorHash:
    """Incremental QuickXorHash: `update()` any number of times, then `digest()`/`b64digest()`."""

    def __init__(self) -> None:
        self._lanes = 0
        self._pending = b""
        self._length = 0

    def update(self, data: bytes) -> None:
        self._length += len(data)
        buffer = self._pending + data if self._pending else bytes(data)
        whole = len(buffer) - len(buffer) % BLOCK
        if whole:
            self._lanes ^= _fold(buffer[:whole])
        self._pending = buffer[whole:]

    def copy(self) -> QuickXorHash:
        twin = QuickXorHash()
        twin._lanes, twin._pending, twin._length = self._lanes, self._pending, self._length
        return twin

    def digest(self) -> bytes:
        lanes = self._lanes ^ int.from_bytes(self._pending, "little")
        register = 0
        for index in range(BLOCK):
            byte = (lanes >> (8 * index)) & 0xFF
            if not byte:
                continue
            shift = (SHIFT * index) % WIDTH_BITS
            register ^= ((byte << shift) | (byte >> (WIDTH_BITS - shift))) & _MASK160
        out = bytearray(register.to_bytes(WIDTH_BYTES, "little"))
        for index, byte in enumerate(self._length.to_bytes(8, "little")):
            out[WIDTH_BYTES - 8 + index] ^= byte
        return bytes(out)

    def b64digest(self) -> str:
        return base64.b64encode(self.digest()).decode("ascii")


def quick_xor_hash(data: bytes) -> str:
    """Base64 QuickXorHash of `data`, as Graph reports it in `file.hashes.quickXorHash`."""
    hasher = QuickXorHash()
    hasher.update(data)
    return hasher.b64digest()
