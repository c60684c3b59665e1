"""Delivers v2.0 webhook payloads to matching hooks (API-NOTES A9).

Each event becomes one background task per matching hook (two with duplicates on): POST JSON with
the hook's `destination_headers`, a timeout (5 s documented), retries with exponential backoff
(1 s up to 1 h documented; base and cap are options so tests run fast) and `discarded` after 12 h.
Every attempt is a row in the delivery log, shaped like Procore's deliveries API.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

from emulators.procore.model import Actor, Hook, Scope, World
from emulators.procore.options import Options
from emulators.procore.timefmt import iso, iso_micro

log = logging.getLogger("emulators.procore.webhooks")

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now: float) -> str:
    """A 26-character ULID: 48-bit millisecond time + 80 random bits, Crockford base32."""
    value = (int(now * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


@dataclass(frozen=True)
class Event:
    resource_name: str
    event_type: str
    resource_id: int
    scope: Scope
    actor: Actor


def payload_v2(world: World, event: Event) -> dict[str, Any]:
    now = time.time()
    return {
        "id": world.new_event_id(),
        "ulid": new_ulid(now),
        "timestamp": iso_micro(now),
        "metadata": {
            "source_user_id": event.actor.user_id,
            "source_project_id": event.scope.project_id,
            "source_operation_id": None,
            "source_company_id": event.scope.company_id,
            "source_application_id": event.actor.application_id,
        },
        "user_id": event.actor.user_id,
        "company_id": event.scope.company_id,
        "project_id": event.scope.project_id,
        "api_version": "v2.0",
        "event_type": event.event_type,
        "resource_name": event.resource_name,
        "resource_id": event.resource_id,
    }


def hook_matches(hook: Hook, event: Event) -> bool:
    if hook.project_id is not None:
        in_scope = hook.project_id == event.scope.project_id
    else:
        in_scope = hook.company_id == event.scope.company_id and event.scope.project_id is None
    return in_scope and any(
        t.resource_name == event.resource_name and t.event_type == event.event_type
        for t in hook.triggers.values()
    )


class WebhookSender:
    def __init__(self, world: World, options: Options) -> None:
        self.world = world
        self.options = options
        self.log: list[dict[str, Any]] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._next_row = 1

    def publish(self, event: Event) -> None:
        hooks = [h for h in self.world.hooks.values() if hook_matches(h, event)]
        if not hooks:
            return
        payload = payload_v2(self.world, event)
        copies = 2 if self.options.webhook_duplicates else 1
        for hook in hooks:
            for _ in range(copies):
                task = asyncio.get_running_loop().create_task(self._deliver(hook.id, payload))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    def pending(self) -> int:
        return len(self.tasks)

    def reset(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        self.tasks.clear()
        self.log.clear()

    async def close(self) -> None:
        self.reset()
        if self._client is not None:
            await self._client.aclose()

    async def _attempt(self, hook: Hook, payload: dict[str, Any]) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        started = time.time()
        row: dict[str, Any] = {
            "id": self._next_row,
            "hook_id": hook.id,
            "started_at": iso(started),
            "completed_at": None,
            "response_status": None,
            "response_headers": {},
            "response_body": None,
            "response_error": None,
            "outcome": None,
            "event": payload,
        }
        self._next_row += 1
        try:
            response = await self._client.post(
                hook.destination_url,
                json=payload,
                headers=hook.destination_headers,
                timeout=self.options.webhook_timeout_s,
            )
            row["response_status"] = response.status_code
            row["response_headers"] = dict(response.headers)
            row["response_body"] = response.text[:2000]
        except httpx.TimeoutException:
            row["response_error"] = f"timeout after {self.options.webhook_timeout_s} s"
        except httpx.HTTPError as exc:
            row["response_error"] = f"{type(exc).__name__}: {exc}"
        row["completed_at"] = iso(time.time())
        return row

    async def _deliver(self, hook_id: int, payload: dict[str, Any]) -> None:
        first_failure: float | None = None
        attempt = 0
        while True:
            hook = self.world.hooks.get(hook_id)
            if hook is None:
                return
            row = await self._attempt(hook, payload)
            self.log.append(row)
            status = row["response_status"]
            if status is not None and 200 <= status < 300:
                row["outcome"] = "ok"
                return
            now = time.time()
            first_failure = first_failure if first_failure is not None else now
            if now - first_failure >= self.options.webhook_discard_after_s:
                row["outcome"] = "discarded"
                log.info("webhook discarded", extra={"hook_id": hook_id, "event": payload["id"]})
                return
            row["outcome"] = "retried"
            delay = min(
                self.options.webhook_retry_cap_s,
                self.options.webhook_retry_base_s * (2**attempt),
            )
            attempt += 1
            await asyncio.sleep(delay)
