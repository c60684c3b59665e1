"""The running emulator: world, options, rate limiter, faults, counters, webhook sender."""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections import defaultdict
from typing import Any

from emulators.procore.faults import Faults
from emulators.procore.model import Actor, Scope, World
from emulators.procore.options import Options
from emulators.procore.rate_limit import RateLimiter
from emulators.procore.webhook_delivery import Event, WebhookSender


class Counters:
    """Requests per endpoint (method + route template) and per status."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.total = 0
        self.by_endpoint: dict[str, int] = defaultdict(int)
        self.by_status: dict[str, int] = defaultdict(int)
        self.by_endpoint_status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.emulator_errors = 0

    def count(self, endpoint: str, status: int) -> None:
        self.total += 1
        self.by_endpoint[endpoint] += 1
        self.by_status[str(status)] += 1
        self.by_endpoint_status[endpoint][str(status)] += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_endpoint": dict(self.by_endpoint),
            "by_status": dict(self.by_status),
            "by_endpoint_status": {k: dict(v) for k, v in self.by_endpoint_status.items()},
            "emulator_errors": self.emulator_errors,
        }


class Emulator:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.world = World()
        self.faults = Faults()
        self.counters = Counters()
        self.limiter = self._new_limiter()
        self.sender = WebhookSender(self.world, options)
        self._key = os.urandom(32)
        self.uploads: dict[str, Any] = {}

    def _new_limiter(self) -> RateLimiter:
        o = self.options
        return RateLimiter(o.hourly_limit, o.hourly_window_s, o.spike_limit, o.spike_window_s)

    def reset_rate_limit(self) -> None:
        self.limiter = self._new_limiter()

    def reset(self) -> None:
        self.sender.reset()
        self.world = World()
        self.sender.world = self.world
        self.faults.clear()
        self.counters.clear()
        self.uploads = {}
        self.reset_rate_limit()

    def emit(
        self, resource_name: str, event_type: str, resource_id: int, scope: Scope, actor: Actor
    ) -> None:
        self.sender.publish(Event(resource_name, event_type, resource_id, scope, actor))

    # --- presigned storage URLs -------------------------------------------------------------

    def signature(self, method: str, path: str, expires: int) -> str:
        message = f"{method}\n{path}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:40]

    def presign(self, method: str, path: str, ttl_s: int) -> tuple[str, int]:
        expires = int(time.time()) + ttl_s
        sig = self.signature(method, path, expires)
        query = f"AWSAccessKeyId=EMULATORKEY&Expires={expires}&Signature={sig}"
        return f"{self.options.base_url}{path}?{query}", expires

    def check_signature(self, method: str, path: str, expires: str, sig: str) -> str | None:
        """None when valid, else the S3 error code."""
        try:
            expires_at = int(expires)
        except ValueError:
            return "AccessDenied"
        if not hmac.compare_digest(self.signature(method, path, expires_at), sig):
            return "SignatureDoesNotMatch"
        if time.time() > expires_at:
            return "Expired"
        return None
