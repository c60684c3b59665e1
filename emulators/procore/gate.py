"""What happens to every request before and after its handler: the rate limit (every request
counts, API-NOTES A4), the `X-Rate-Limit-*` headers, switchable faults, per-endpoint counters,
one structured log line, and a last-resort JSON 500 for emulator bugs (never a traceback)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulators.procore.emulator import Emulator
from emulators.procore.rate_limit import THROTTLED_TEXT

log = logging.getLogger("emulators.procore.requests")

CONTROL_PREFIX = "/_emulator"


def _headers(values: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode()) for k, v in values.items()]


class Gate:
    def __init__(self, app: ASGIApp, emulator: Emulator, routes: list[Route]) -> None:
        self.app = app
        self.emu = emulator
        self.routes = routes

    def endpoint_name(self, scope: Scope) -> str:
        method = scope["method"]
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return f"{method} {route.path}"
        return f"{method} (unmatched)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        started = time.monotonic()
        state: dict[str, Any] = {"status": None}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
            await send(message)

        if path.startswith(CONTROL_PREFIX):
            await self._guarded(scope, receive, recording_send, state)
            return

        emu = self.emu
        now = time.time()
        over = emu.limiter.hit(now)
        rate_headers = _headers(emu.limiter.headers(now))
        endpoint = self.endpoint_name(scope)

        async def api_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *rate_headers]}
            await recording_send(message)

        try:
            if over:
                await self._plain(
                    api_send,
                    429,
                    THROTTLED_TEXT,
                    {"Retry-After": str(emu.limiter.retry_after(now))},
                )
                return
            fault = emu.faults.take(scope["method"], path, part_upload=False)
            if fault is not None:
                if fault.kind == "slow":
                    await asyncio.sleep(fault.delay_s)
                elif fault.kind == "429":
                    reset = int(now) + fault.retry_after_s
                    rate_headers[:] = _headers(
                        {
                            "X-Rate-Limit-Limit": str(emu.limiter.spike.limit),
                            "X-Rate-Limit-Remaining": "0",
                            "X-Rate-Limit-Reset": str(reset),
                        }
                    )
                    await self._plain(
                        api_send, 429, THROTTLED_TEXT, {"Retry-After": str(fault.retry_after_s)}
                    )
                    return
                elif fault.kind in ("500", "503"):
                    text = "Internal Server Error" if fault.kind == "500" else "Service Unavailable"
                    extra = {"Retry-After": str(fault.retry_after_s)} if fault.kind == "503" else {}
                    await self._json(api_send, int(fault.kind), {"errors": text}, extra)
                    return
                elif fault.kind == "drop":
                    await api_send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", b"4096"),
                            ],
                        }
                    )
                    await api_send(
                        {"type": "http.response.body", "body": b'{"partial": ', "more_body": True}
                    )
                    return
            await self._guarded(scope, receive, api_send, state)
        finally:
            status = state["status"] or 0
            emu.counters.count(endpoint, status)
            log.info(
                json.dumps(
                    {
                        "event": "request",
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "ms": round((time.monotonic() - started) * 1000, 1),
                    }
                )
            )

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any]
    ) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            self.emu.counters.emulator_errors += 1
            log.exception("emulator bug while serving %s %s", scope["method"], scope["path"])
            if state["status"] is None:
                await self._json(
                    send,
                    500,
                    {"error": "Internal emulator error", "detail": f"{type(exc).__name__}: {exc}"},
                    {},
                )

    @staticmethod
    async def _plain(send: Send, status: int, text: str, extra: dict[str, str]) -> None:
        body = text.encode()
        headers = _headers(
            {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)), **extra}
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _json(send: Send, status: int, payload: Any, extra: dict[str, str]) -> None:
        body = json.dumps(payload).encode()
        headers = _headers(
            {"Content-Type": "application/json", "Content-Length": str(len(body)), **extra}
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
