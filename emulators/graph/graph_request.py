"""A Graph request and response independent of starlette, so `$batch` members run the same code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .model import App


@dataclass
class GraphRequest:
    method: str
    path: str  # after "/v1.0/", still percent-encoded
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str
    app: App
    stream: AsyncIterator[bytes] | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class GraphResponse:
    status: int
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Token:
    kind: str  # "seg" (one path segment) or "path" (a `:/a/b:` path)
    value: str


def tokenize(raw_path: str) -> list[Token]:
    """Split a Graph URL path on `:` path-addressing delimiters, then on `/`; decode each part.

    `drives/d/root:/a/b:/children` → seg drives, seg d, seg root, path /a/b, seg children.
    Splitting before decoding keeps an encoded `%3A` inside a name.
    """
    tokens: list[Token] = []
    for index, part in enumerate(raw_path.split(":")):
        if index % 2:
            tokens.append(Token("path", unquote(part)))
        else:
            tokens.extend(Token("seg", unquote(s)) for s in part.split("/") if s)
    return tokens
