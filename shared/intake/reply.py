"""What a receiver answers, independent of the Functions SDK (the blueprint renders it)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    status: int
    body: str = ""
    mimetype: str = "application/json"

    @classmethod
    def json(cls, code: int, /, **fields: object) -> Reply:
        return cls(code, json.dumps(fields, ensure_ascii=False))

    @classmethod
    def text(cls, status: int, body: str) -> Reply:
        return cls(status, body, "text/plain")
