"""Calls a registered function the way the Python worker does, and logs the invocation.

Sync functions run on the caller's thread (a pool thread of the trigger); `async def` functions
run on one event loop shared by the whole host, as in the worker, so objects a function caches
across invocations (an async client, say) stay on the loop that made them.

The invocation log carries function, trigger, ids, dequeue count, outcome and duration; bodies
are never logged (they may hold secrets), only their size.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Awaitable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devhost.catalog import Entry

log = logging.getLogger("devhost.invocation")


@dataclass(frozen=True)
class InvocationContext:
    """What `func.Context` offers a function that asks for a `context` parameter."""

    invocation_id: str
    function_name: str
    function_directory: str
    trace_context: Any = None
    retry_context: Any = None


class Invoker:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="devhost-async", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _kwargs(self, entry: Entry, trigger_value: Any, invocation_id: str) -> dict[str, Any]:
        kwargs = {entry.arg_name: trigger_value}
        if entry.wants_context:
            kwargs["context"] = InvocationContext(
                invocation_id=invocation_id,
                function_name=entry.name,
                function_directory=str(Path.cwd()),
            )
        return kwargs

    def call(self, entry: Entry, trigger_value: Any, **facts: Any) -> Any:
        """Invoke from a worker thread; returns the result or re-raises the function's error."""
        invocation_id = str(uuid.uuid4())
        started = time.monotonic()
        try:
            result = entry.func(**self._kwargs(entry, trigger_value, invocation_id))
            if entry.is_async:
                result = asyncio.run_coroutine_threadsafe(result, self._loop).result()
        except BaseException as exc:
            self.record(entry, invocation_id, started, exc, facts)
            raise
        self.record(entry, invocation_id, started, None, facts)
        return result

    async def call_async(self, entry: Entry, trigger_value: Any, **facts: Any) -> Any:
        """Invoke from an HTTP request handler (another event loop)."""
        invocation_id = str(uuid.uuid4())
        started = time.monotonic()
        kwargs = self._kwargs(entry, trigger_value, invocation_id)
        try:
            if entry.is_async:
                future: Future[Any] = asyncio.run_coroutine_threadsafe(
                    _awaited(entry.func(**kwargs)), self._loop
                )
                result = await asyncio.wrap_future(future)
            else:
                result = await asyncio.to_thread(entry.func, **kwargs)
        except Exception as exc:
            self.record(entry, invocation_id, started, exc, facts)
            raise
        self.record(entry, invocation_id, started, None, facts)
        return result

    @staticmethod
    def record(
        entry: Entry,
        invocation_id: str,
        started: float,
        error: BaseException | None,
        facts: dict[str, Any],
    ) -> None:
        fields = {
            "function": entry.name,
            "invocation_id": invocation_id,
            "outcome": "failed" if error else "succeeded",
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            **facts,
        }
        if error is None:
            log.info("invocation succeeded", extra=fields)
        else:
            log.error(
                "invocation failed: %s",
                type(error).__name__,
                extra=fields,
                exc_info=(type(error), error, error.__traceback__),
            )


async def _awaited(value: Awaitable[Any]) -> Any:
    return await value
