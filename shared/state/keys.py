"""PartitionKey/RowKey encoding that is safe for any name or id.

Azure forbids `/ \\ # ?` and the control characters U+0000-U+001F and U+007F-U+009F in keys and
limits a key to 1 KiB (API-NOTES C1). Raw names and paths therefore never reach a key.

Two encodings, both deterministic:

- `encode_key(value)` is **reversible** (`decode_key`) for ids and other values a caller looks up
  by the raw value and may want back: characters outside `A-Z a-z 0-9 - _ . !` are written as
  `~XX` per UTF-8 byte (lone surrogates via `surrogatepass`, so every Python `str` round-trips).
  Short ids stay readable (`b!x9Y-ab` stays as is; Graph drive ids keep their `!`). A value whose
  escaped form would exceed `max_chars` falls back to the hashed form below, keeping a readable
  prefix; such a key can still be found again from the raw value, but not decoded.
- `hashed_key(value)` is **not reversible**: `~~` + SHA-256 hex of the UTF-8 bytes. Use it for
  names and paths; look the row up by hashing the raw value again.

An escaped form never contains `~~` (every `~` is followed by two hex digits), so a hashed key can
never collide with an escaped one, and distinct values always get distinct keys (barring SHA-256
collisions). The result is ASCII, so `:` and `-` can join encoded parts unambiguously.
"""

from __future__ import annotations

import hashlib
import re
import string

from shared.state.errors import EntityRejected, KeyNotReversible

KEY_MAX_BYTES = 1024
"""Azure: a key is a string of up to 1 KiB. Measured here in UTF-16 bytes, as the service stores
strings (the stricter reading of the documentation)."""

COMPONENT_MAX_CHARS = 255
"""Default budget for one encoded component, so a few can be joined within `KEY_MAX_BYTES`."""

_SAFE = frozenset(string.ascii_letters + string.digits + "-_.!")
_ESCAPE = "~"
_HASH_MARK = "~~"
_ESCAPED = re.compile(r"~([0-9A-F]{2})")
_FORBIDDEN = re.compile("[/\\\\#?\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(value: str) -> str:
    parts: list[str] = []
    for char in value:
        if char in _SAFE:
            parts.append(char)
        else:
            parts.extend(f"~{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(parts)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def hashed_key(value: str) -> str:
    """A fixed-length (66 characters), non-reversible key for `value` (names, paths)."""
    return _HASH_MARK + _digest(value)


def encode_key(value: str, *, max_chars: int = COMPONENT_MAX_CHARS) -> str:
    """A safe key for `value`: escaped (reversible) if it fits in `max_chars`, else hashed."""
    if max_chars < len(_HASH_MARK) + 64:
        raise ValueError(f"max_chars must leave room for a hashed key (>= 66), got {max_chars}")
    escaped = _escape(value)
    if len(escaped) <= max_chars:
        return escaped
    room = max_chars - len(_HASH_MARK) - 64
    prefix = escaped[:room]
    cut = prefix.rfind(_ESCAPE, max(0, len(prefix) - 2))
    if cut != -1:
        prefix = prefix[:cut]
    return prefix + _HASH_MARK + _digest(value)


def is_hashed(key: str) -> bool:
    """True if `key` was hashed (and so cannot be decoded)."""
    return _HASH_MARK in key


def decode_key(key: str) -> str:
    """The raw value of an escaped key; `KeyNotReversible` for a hashed one."""
    if is_hashed(key):
        raise KeyNotReversible(f"key {key!r} is hashed; recompute it from the raw value instead")
    out = bytearray()
    pos = 0
    while pos < len(key):
        char = key[pos]
        if char == _ESCAPE:
            match = _ESCAPED.match(key, pos)
            if match is None:
                raise ValueError(f"{key!r} is not an encoded key (bad escape at {pos})")
            out.append(int(match.group(1), 16))
            pos = match.end()
        elif char in _SAFE:
            out.extend(char.encode("ascii"))
            pos += 1
        else:
            raise ValueError(f"{key!r} is not an encoded key ({char!r} at {pos})")
    return out.decode("utf-8", "surrogatepass")


def key_problem(key: str) -> str | None:
    """Why Azure would refuse `key` as a PartitionKey/RowKey, or None if it is acceptable."""
    if not isinstance(key, str):
        return f"must be a string, not {type(key).__name__}"
    bad = _FORBIDDEN.search(key)
    if bad is not None:
        return f"holds the forbidden character {bad.group()!r} at {bad.start()}"
    size = len(key.encode("utf-16-le"))
    if size > KEY_MAX_BYTES:
        return f"is {size} bytes (UTF-16); the limit is {KEY_MAX_BYTES}"
    return None


def check_key(key: str, *, which: str = "key") -> str:
    """Return `key` unchanged, or raise `EntityRejected` if Azure would refuse it."""
    problem = key_problem(key)
    if problem is not None:
        raise EntityRejected(f"{which} {problem}", property_name=which)
    return key
