"""Switchable faults (control API): 429 storms, 503, dropped connections, slow responses.

Applied by an outer ASGI wrapper, before routing, so that a dropped connection really closes the
socket without any response.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import GraphError


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["throttle", "unavailable", "drop", "slow"]
    count: int | None = Field(None, ge=1)
    duration_s: float | None = Field(None, gt=0)
    retry_after_s: int = Field(1, ge=0)
    delay_s: float = Field(2.0, ge=0)
    path_prefix: str = "/v1.0"


@dataclass
class Fault:
    id: str
    spec: FaultSpec
    remaining: int | None
    until: float | None
    hits: int = 0

    def active(self) -> bool:
        if self.until is not None and time.monotonic() > self.until:
            return False
        return self.remaining is None or self.remaining > 0

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.spec.model_dump(),
            "remaining": self.remaining,
            "hits": self.hits,
            "active": self.active(),
        }


class FaultBoard:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, spec: FaultSpec) -> Fault:
        until = time.monotonic() + spec.duration_s if spec.duration_s else None
        remaining = spec.count if spec.count is not None or until is not None else 1
        fault = Fault(uuid.uuid4().hex[:8], spec, remaining, until)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.active() and path.startswith(fault.spec.path_prefix):
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.hits += 1
                return fault
        return None


class FaultInjector:
    """ASGI wrapper applying the first active matching fault to a request."""

    def __init__(self, app: ASGIApp, board: FaultBoard) -> None:
        self.app = app
        self.board = board

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        fault = self.board.take(scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        kind = fault.spec.kind
        if kind == "slow":
            await asyncio.sleep(fault.spec.delay_s)
            await self.app(scope, receive, send)
            return
        if kind == "drop":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None:
                transport.abort()
                return
            raise ConnectionAbortedError("fault: drop")
        if kind == "throttle":
            error = GraphError(429, "activityLimitReached", "The request has been throttled")
        else:
            error = GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable")
        request_id = str(uuid.uuid4())
        body = json.dumps(error.body(request_id, request_id)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": error.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(fault.spec.retry_after_s).encode()),
                    (b"request-id", request_id.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
