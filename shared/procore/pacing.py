"""Pacing from Procore's rate-limit headers, so that a well-behaved run meets no 429.

API-NOTES A4: every response carries `X-Rate-Limit-Limit/-Remaining/-Reset` (reset in unix
seconds) describing whichever window (hourly, or the 10-second spike window) is nearest to
exhaustion; the distance to the reset is measured against the response `Date`, so a skewed local
clock does not matter. Every request counts, failed ones too.

Policy: once `Remaining` falls to the reserve, no request is fired before the window resets. A
short wait (up to `max_wait_s`, enough for the spike window) is absorbed here; a longer one raises
`Throttled(retry_at)` without firing, so a queue handler re-enqueues instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from shared.errors import Throttled

log = logging.getLogger(__name__)

SPIKE_WINDOW_S = 10.0
"""A reset at most this far away belongs to the spike window (API-NOTES A4)."""


@dataclass(frozen=True)
class RateWindow:
    """One response's view of the window nearest to exhaustion."""

    limit: int
    remaining: int
    reset_in_s: float

    @property
    def is_spike(self) -> bool:
        return self.reset_in_s <= SPIKE_WINDOW_S


def server_time(headers: Mapping[str, str], local_now: float) -> float:
    """The response's `Date` as epoch seconds (the local clock when absent or unreadable)."""
    raw = headers.get("date")
    if not raw:
        return local_now
    try:
        return parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        return local_now


def read_window(headers: Mapping[str, str], local_now: float) -> RateWindow | None:
    """The rate-limit window described by a response's headers, or None when absent."""
    try:
        limit = int(headers["x-rate-limit-limit"])
        remaining = int(headers["x-rate-limit-remaining"])
        reset = float(headers["x-rate-limit-reset"])
    except (KeyError, ValueError):
        return None
    reset_in = max(0.0, reset - server_time(headers, local_now))
    return RateWindow(limit=limit, remaining=remaining, reset_in_s=reset_in)


def retry_delay_s(headers: Mapping[str, str], local_now: float, default_s: float) -> float:
    """How long a 429/503 asks us to wait: `Retry-After`, else the rate-limit reset, else default.

    API-NOTES A4 notes both: `Retry-After` (seconds or an HTTP date) on 429/503, and
    `X-Rate-Limit-Reset` on every response.
    """
    raw = headers.get("retry-after")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                when = parsedate_to_datetime(raw).timestamp()
                return max(0.0, when - server_time(headers, local_now))
            except (TypeError, ValueError):
                pass
    window = read_window(headers, local_now)
    if window is not None:
        return window.reset_in_s
    return default_s


class Pacer:
    """Holds the latest rate-limit view and decides, before each request, to go, wait or refuse."""

    def __init__(
        self,
        *,
        reserve: int,
        max_wait_s: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.reserve = reserve
        self.max_wait_s = max_wait_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._remaining: int | None = None
        self._reset_at = 0.0

    @property
    def remaining(self) -> int | None:
        return self._remaining

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the window a response describes as the current one."""
        now = self._clock()
        window = read_window(headers, now)
        if window is None:
            return
        with self._lock:
            self._remaining = window.remaining
            self._reset_at = now + window.reset_in_s

    def block_until(self, retry_at: float) -> None:
        """After a 429/503: fire nothing before `retry_at` (local epoch seconds)."""
        with self._lock:
            self._remaining = 0
            self._reset_at = max(self._reset_at, retry_at)

    def before_request(self) -> None:
        """Wait briefly, or raise `Throttled`, when the window is down to the reserve."""
        with self._lock:
            now = self._clock()
            if self._remaining is not None and self._reset_at <= now:
                self._remaining = None  # the window has reset; the next response says more
            if self._remaining is None:
                return
            if self._remaining > self.reserve:
                self._remaining -= 1  # local estimate until the response says better
                return
            wait = self._reset_at - now
            if wait > self.max_wait_s:
                retry_at = datetime.fromtimestamp(self._reset_at, UTC)
                raise Throttled(
                    f"Procore rate limit down to the reserve ({self._remaining} left); "
                    f"window resets in {wait:.0f} s",
                    service="procore",
                    retry_at=retry_at,
                )
            log.info("procore pacing", extra={"wait_s": round(wait, 3)})
            self._sleep(wait)
            self._remaining = None
