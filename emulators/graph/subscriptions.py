"""Change-notification subscriptions on a drive root and their delivery (API-NOTES B4).

Creation needs the validationToken handshake (plain-text echo within the limit). Each change on
a drive queues one notification per subscription; after a short delay the queue is POSTed per
notificationUrl, carrying clientState and no item id. A failed or slow (> 3 s) delivery is
retried with doubling delays until the maximum age, then dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from .errors import GraphError, invalid_request
from .model import App, iso, now, parse_iso
from .store import GraphStore

log = logging.getLogger("graph_emulator.notifications")

MAX_EXPIRY_MINUTES = 42300


@dataclass
class Subscription:
    id: str
    app: App
    drive_id: str
    resource: str
    notification_url: str
    client_state: str | None
    expires_at: dt.datetime
    lifecycle_url: str | None = None

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource": self.resource,
            "applicationId": self.app.client_id,
            "changeType": "updated",
            "clientState": self.client_state,
            "notificationUrl": self.notification_url,
            "lifecycleNotificationUrl": self.lifecycle_url,
            "expirationDateTime": iso(self.expires_at),
            "creatorId": self.app.client_id,
        }


@dataclass
class Delivery:
    url: str
    entries: list[dict[str, Any]]
    first_try: float
    attempt: int = 0


@dataclass
class Notifier:
    store: GraphStore
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)  # drive id → subscription ids
    log_entries: list[dict[str, Any]] = field(default_factory=list)
    _wake: asyncio.Event | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def clear(self) -> None:
        self.subscriptions.clear()
        self.pending.clear()
        self.log_entries.clear()

    # ---- subscription CRUD --------------------------------------------------------------

    def _expiry(self, value: Any) -> dt.datetime:
        if not isinstance(value, str):
            raise invalid_request("expirationDateTime is required.")
        try:
            moment = parse_iso(value)
        except ValueError:
            raise invalid_request(f"expirationDateTime is not a date: {value}") from None
        if moment <= now():
            raise GraphError(400, "ExtensionError", "Subscription expiration is in the past.")
        if moment > now() + dt.timedelta(minutes=MAX_EXPIRY_MINUTES):
            raise GraphError(
                400,
                "ExtensionError",
                f"Subscription expiration can only be {MAX_EXPIRY_MINUTES} minutes in the future.",
            )
        return moment

    def _drive_of(self, resource: str) -> str:
        parts = [p for p in resource.strip("/").split("/") if p]
        if len(parts) == 3 and parts[0] == "drives" and parts[2] == "root":
            drive_id = parts[1]
        elif (
            len(parts) == 5 and parts[0] == "sites" and parts[2] == "drives" and parts[4] == "root"
        ):
            drive_id = parts[3]
        else:
            raise GraphError(
                400,
                "InvalidRequest",
                "Only the root of a drive can be subscribed to on SharePoint (drives/{id}/root).",
            )
        self.store.drive(drive_id)
        return drive_id

    async def create(self, app: App, body: dict[str, Any]) -> Subscription:
        if body.get("changeType") != "updated":
            raise GraphError(
                400, "InvalidRequest", "Only changeType 'updated' is supported for driveItems."
            )
        url = body.get("notificationUrl")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise GraphError(400, "InvalidRequest", "notificationUrl must be an http(s) URL.")
        if self.store.options.require_https_notification_url and not url.startswith("https://"):
            raise GraphError(400, "InvalidRequest", "notificationUrl must use https.")
        client_state = body.get("clientState")
        if client_state is not None and (
            not isinstance(client_state, str) or len(client_state) > 128
        ):
            raise GraphError(400, "InvalidRequest", "clientState must be at most 128 characters.")
        resource = body.get("resource")
        if not isinstance(resource, str):
            raise GraphError(400, "InvalidRequest", "resource is required.")
        drive_id = self._drive_of(resource)
        expires = self._expiry(body.get("expirationDateTime"))
        await self._validate(url)
        lifecycle = body.get("lifecycleNotificationUrl")
        if isinstance(lifecycle, str):
            await self._validate(lifecycle)
        sub = Subscription(
            str(uuid.uuid4()),
            app,
            drive_id,
            resource,
            url,
            client_state,
            expires,
            lifecycle if isinstance(lifecycle, str) else None,
        )
        self.subscriptions[sub.id] = sub
        return sub

    async def _validate(self, url: str) -> None:
        token = f"Validation: Testing client application reachability {secrets.token_hex(8)}"
        separator = "&" if "?" in url else "?"
        target = f"{url}{separator}{urlencode({'validationToken': token})}"
        failure = "Subscription validation request failed. "
        try:
            async with httpx.AsyncClient(timeout=self.store.options.validation_timeout_s) as client:
                response = await client.post(target, headers={"Content-Type": "text/plain"})
        except httpx.HTTPError as exc:
            raise GraphError(
                400, "InvalidRequest", failure + f"Notification endpoint unreachable: {exc!r}"
            ) from None
        content_type = response.headers.get("content-type", "")
        if response.status_code != 200:
            raise GraphError(
                400, "InvalidRequest", failure + f"Response status code: {response.status_code}"
            )
        if not content_type.startswith("text/plain"):
            raise GraphError(400, "InvalidRequest", failure + "Content-Type must be text/plain.")
        if response.text != token:
            raise GraphError(
                400, "InvalidRequest", failure + "Response must exactly match validationToken."
            )

    def get(self, app: App, sub_id: str) -> Subscription:
        self.expire()
        sub = self.subscriptions.get(sub_id)
        if sub is None or sub.app.client_id != app.client_id:
            raise GraphError(404, "ResourceNotFound", f"The subscription {sub_id} was not found.")
        return sub

    def renew(self, app: App, sub_id: str, body: dict[str, Any]) -> Subscription:
        sub = self.get(app, sub_id)
        sub.expires_at = self._expiry(body.get("expirationDateTime"))
        return sub

    def delete(self, app: App, sub_id: str) -> None:
        sub = self.get(app, sub_id)
        del self.subscriptions[sub.id]

    def expire(self) -> None:
        moment = now()
        for sub_id in [s.id for s in self.subscriptions.values() if s.expires_at <= moment]:
            del self.subscriptions[sub_id]

    # ---- delivery -----------------------------------------------------------------------

    def on_change(self, drive_id: str) -> None:
        self.expire()
        ids = {s.id for s in self.subscriptions.values() if s.drive_id == drive_id}
        if not ids:
            return
        self.pending.setdefault(drive_id, set()).update(ids)
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Background loop: collect changes for `notify_delay_ms`, then send per URL."""
        self._wake = asyncio.Event()
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.store.options.notify_delay_ms / 1000)
            self._wake.clear()
            by_url: dict[str, list[dict[str, Any]]] = {}
            pending, self.pending = self.pending, {}
            for sub_ids in pending.values():
                for sub_id in sub_ids:
                    sub = self.subscriptions.get(sub_id)
                    if sub is not None:
                        by_url.setdefault(sub.notification_url, []).append(self._entry(sub))
            for url, entries in by_url.items():
                self._spawn(self._deliver(Delivery(url, entries, time.monotonic())))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _entry(self, sub: Subscription) -> dict[str, Any]:
        return {
            "subscriptionId": sub.id,
            "subscriptionExpirationDateTime": iso(sub.expires_at),
            "clientState": sub.client_state,
            "changeType": "updated",
            "resource": sub.resource,
            "tenantId": sub.app.tenant_id,
            "resourceData": {"@odata.type": "#Microsoft.Graph.DriveItem"},
        }

    async def _deliver(self, delivery: Delivery) -> None:
        options = self.store.options
        body = {"value": delivery.entries}
        while True:
            delivery.attempt += 1
            status: int | None = None
            error: str | None = None
            try:
                async with httpx.AsyncClient(timeout=options.notify_ack_timeout_s) as client:
                    response = await client.post(
                        delivery.url,
                        content=json.dumps(body),
                        headers={"Content-Type": "application/json"},
                    )
                status = response.status_code
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            self.log_entries.append(
                {
                    "url": delivery.url,
                    "status": status,
                    "error": error,
                    "attempt": delivery.attempt,
                    "body": body,
                    "at": iso(now()),
                }
            )
            del self.log_entries[:-1000]
            if status is not None and 200 <= status < 300:
                return
            delay = options.notify_retry_s * 2 ** (delivery.attempt - 1)
            if time.monotonic() + delay - delivery.first_try > options.notify_max_age_s:
                log.info("notification dropped", extra={"url": delivery.url})
                return
            await asyncio.sleep(delay)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
