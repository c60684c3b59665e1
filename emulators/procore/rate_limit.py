"""Procore's two rate-limit windows (API-NOTES A4): hourly and spike (10 s).

Every request counts, throttled ones too. The `X-Rate-Limit-*` headers describe the window nearest
exhaustion: the one with fewer requests left (the spike window until the hourly one runs low).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

THROTTLED_TEXT = (
    "You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)


@dataclass
class Window:
    limit: int
    size_s: float
    started: float | None = None
    count: int = 0

    def roll(self, now: float) -> None:
        if self.started is None or now >= self.started + self.size_s:
            self.started = now
            self.count = 0

    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def reset_at(self, now: float) -> float:
        return (self.started if self.started is not None else now) + self.size_s


class RateLimiter:
    def __init__(
        self, hourly_limit: int, hourly_s: float, spike_limit: int, spike_s: float
    ) -> None:
        self.hourly = Window(hourly_limit, hourly_s)
        self.spike = Window(spike_limit, spike_s)

    def hit(self, now: float) -> bool:
        """Count one request; True when it is over either limit."""
        over = False
        for window in (self.hourly, self.spike):
            window.roll(now)
            window.count += 1
            over = over or window.count > window.limit
        return over

    def nearest(self, now: float) -> Window:
        for window in (self.hourly, self.spike):
            window.roll(now)
        return self.hourly if self.hourly.remaining() < self.spike.remaining() else self.spike

    def headers(self, now: float) -> dict[str, str]:
        window = self.nearest(now)
        return {
            "X-Rate-Limit-Limit": str(window.limit),
            "X-Rate-Limit-Remaining": str(window.remaining()),
            "X-Rate-Limit-Reset": str(math.ceil(window.reset_at(now))),
        }

    def retry_after(self, now: float) -> int:
        """Seconds until every exhausted window has reset."""
        waits = [w.reset_at(now) - now for w in (self.hourly, self.spike) if w.count > w.limit] or [
            self.nearest(now).reset_at(now) - now
        ]
        return max(1, math.ceil(max(waits)))
