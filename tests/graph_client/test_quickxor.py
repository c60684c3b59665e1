"""QuickXorHash against published vectors and an independent bit-by-bit implementation.

The vectors are the ones rclone's OneDrive backend tests against (backend/onedrive/quickxorhash/
quickxorhash_test.go), which were produced with Microsoft's published reference algorithm: input
and expected hash, both base64. The empty input hashes to 20 zero bytes; a single byte `J`
(0x4A) lands in byte 0 and its length (1) is XORed into byte 12.
"""

from __future__ import annotations

import base64
import random

import pytest

from shared.graph.quickxor import QuickXorHash, quick_xor_hash

VECTORS = [
    ("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    ("Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="),
    ("tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="),
    ("0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA="),
    ("jRRDVA==", "jaDAEKgAAAAAAAAABAAAAAAAAAA="),
    ("/aNzzCFPS/A=", "/RjFHJgRgicsAR4ACAAAAAAAAAA="),
    ("XoJ1AsoR4fDYJrDqYs4=", "XhBEHQSgjAiEAx7YPgEs1CEGZwA="),
    ("2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg="),
    ("T6LYJIfDh81JrAK309H2JMJTXis=", "zBTHrspn3mEcohlJdIUAbjGNaNg="),
    (
        "NbYXsp5/K6mR+NmHwExjvWeWDJFnXTKWVlzYHoesp2E=",
        "wjuAuWDiq04qDt1R8hHWDDcwVoQ=",
    ),
    (
        "Mb7EGva2rEE5fENDL85P+BsapHEEjv2/siVhKjvAQe02feExVOQSkfmuYzU/kTF1MaKjPmKF/w+cbvwfdWL8aQ==",
        "n1anP5NfvD4XDYWIeRPW3ZkPv1Y=",
    ),
    (
        "ikwCorI7PKWz17EI50jZCGbV9JU2E8bXVfxNMg5zdmqSZ2NlsQPp0kqYIPjzwTg1MBtfWPg53k0h"
        "0P2naJNEVgrqpoHTfV2b3pJ4m0zYPTJmUX4Bg/lOxcnCxAYKU29Y5F0U8Quz7ZXFBEweftXxJ7RS"
        "4r6N7BzJrPsLhY7hgck=",
        "imAoFvCWlDn4yVw3/oq1PDbbm6U=",
    ),
    (
        "qwGf2ESubE5jOUHHyc94ORczFYYbc2OmEzo+hBIyzJiNwAzC8PvJqtTzwkWkSslgHFGWQZR2BV5+"
        "uYTrYT7HVwRM40vqfj0dBgeDENyTenIOL1LHkjtDKoXEnQ0mXAHoJ8PjbNC93zi5TovVRXTNzfGE"
        "s5dpWVqxUzb5lc7dwkyvOluBw482mQ4xrzYyIY1t+//OrNi1ObGXuUw2jBQOFfJVj2Y6BOyYmfB1"
        "y36eBxi3zxeG5d5NYjm2GSh6e08QMAwu3zrINcqIzLOuNIiGXBtl7DjKt7b5wqi4oFiRpZsCyx2s"
        "mhSrdrtK/CkdU6nDN+34vSR/M8rZpWQdBE7a8g==",
        "WYT9JY3JIo/pEBp+tIM6Gt2nyTM=",
    ),
]


def straightforward_quick_xor(data: bytes) -> str:
    """The algorithm as written in the reference: one byte at a time into a 160-bit ring."""
    cells = [0] * 160  # one entry per bit
    for index, byte in enumerate(data):
        offset = (index * 11) % 160
        for bit in range(8):
            if byte >> bit & 1:
                cells[(offset + bit) % 160] ^= 1
    digest = bytearray(20)
    for bit, value in enumerate(cells):
        if value:
            digest[bit // 8] |= 1 << (bit % 8)
    for index, byte in enumerate(len(data).to_bytes(8, "little")):
        digest[12 + index] ^= byte
    return base64.b64encode(bytes(digest)).decode()


@pytest.mark.parametrize(("data_b64", "expected"), VECTORS)
def test_published_vectors(data_b64: str, expected: str) -> None:
    data = base64.b64decode(data_b64)
    assert quick_xor_hash(data) == expected
    assert straightforward_quick_xor(data) == expected


@pytest.mark.parametrize("block", [1, 2, 7, 19, 20, 159, 160, 161, 1000])
def test_any_split_of_the_input_gives_the_same_hash(block: int) -> None:
    data = random.Random(block).randbytes(5_000)
    hasher = QuickXorHash()
    for start in range(0, len(data), block):
        hasher.update(data[start : start + block])
    assert hasher.length == len(data)
    assert hasher.base64() == straightforward_quick_xor(data)


@pytest.mark.parametrize("size", [159, 160, 161, 320, 3_217, 65_536])
def test_matches_the_straightforward_implementation(size: int) -> None:
    data = random.Random(size).randbytes(size)
    assert quick_xor_hash(data) == straightforward_quick_xor(data)


def test_digest_is_twenty_bytes_and_base64_of_it() -> None:
    hasher = QuickXorHash(b"The quick brown fox jumps over the lazy dog")
    assert len(hasher.digest()) == 20
    assert base64.b64decode(hasher.base64()) == hasher.digest()
    assert hasher.base64() == straightforward_quick_xor(
        b"The quick brown fox jumps over the lazy dog"
    )
