"""Resource-unit accounting per app per window (API-NOTES B5).

1 RU: single-item read, download, delta with a token. 2 RU: listings, delta without a token,
every write and upload. A request that would pass the budget answers 429 with Retry-After (the
seconds left in the window) and is not charged; at ≥80 % use, RateLimit-* headers are added.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .errors import GraphError
from .options import Options


@dataclass
class Window:
    started: float
    used: int = 0


@dataclass
class Counters:
    total: int = 0
    throttled: int = 0
    by_app: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)


class ResourceUnitMeter:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.windows: dict[str, Window] = {}
        self.counters = Counters()

    def reset(self) -> None:
        self.windows.clear()
        self.counters = Counters()

    def _window(self, app_id: str) -> Window:
        moment = time.monotonic()
        window = self.windows.get(app_id)
        if window is None or moment - window.started >= self.options.ru_window_s:
            window = Window(moment)
            self.windows[app_id] = window
        return window

    def charge(self, app_id: str, cost: int) -> dict[str, str]:
        """Charge `cost` RU or raise 429; returns the RateLimit headers to send (maybe none)."""
        if cost <= 0:
            return {}
        window = self._window(app_id)
        limit = self.options.ru_per_minute
        reset_s = max(1, math.ceil(self.options.ru_window_s - (time.monotonic() - window.started)))
        if window.used + cost > limit:
            self.counters.throttled += 1
            raise GraphError(
                429,
                "activityLimitReached",
                "The request has been throttled",
                "throttledRequest",
                headers={
                    "Retry-After": str(reset_s),
                    "RateLimit-Limit": str(limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset_s),
                },
            )
        window.used += cost
        if window.used * 5 >= limit * 4:
            return {
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": str(max(0, limit - window.used)),
                "RateLimit-Reset": str(reset_s),
            }
        return {}

    def count(self, app_id: str | None, status: int) -> None:
        self.counters.total += 1
        if app_id:
            self.counters.by_app[app_id] = self.counters.by_app.get(app_id, 0) + 1
        key = str(status)
        self.counters.by_status[key] = self.counters.by_status.get(key, 0) + 1

    def snapshot(self) -> dict[str, object]:
        moment = time.monotonic()
        return {
            "requests": {
                "total": self.counters.total,
                "throttled": self.counters.throttled,
                "by_app": dict(self.counters.by_app),
                "by_status": dict(self.counters.by_status),
            },
            "ru": {
                app: {
                    "used": w.used if moment - w.started < self.options.ru_window_s else 0,
                    "window_age_s": round(moment - w.started, 3),
                    "limit": self.options.ru_per_minute,
                }
                for app, w in self.windows.items()
            },
        }
