"""How queue handlers treat throttling and pauses: re-enqueue with a delay, never sleep.

A `Throttled` error carries the time the service allows the next call (API-NOTES A4, B5); the
message goes back on its queue, invisible until then, and the handler returns normally so the
host deletes the delivered copy. Handlers are idempotent, so the repeat redoes nothing that
was finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from shared import runtime
from shared.errors import Throttled
from shared.queues import QueueMessage

log = logging.getLogger("sync")

PAUSED_RECHECK_S = 60
MIN_DELAY_S = 1


def defer(message: QueueMessage, delay_s: float, reason: str) -> None:
    """Put `message` back on its queue, invisible for `delay_s` seconds."""
    delay = max(MIN_DELAY_S, round(delay_s))
    runtime.queue_sender().send(message, delay_s=delay)
    log.info(
        "message deferred",
        extra={"queue": message.queue, "delay_s": delay, "reason": reason, "operation": "defer"},
    )


def run_step(message: QueueMessage, step: Callable[[], None]) -> None:
    """Run one handler step; a throttle re-enqueues the message until the service allows it."""
    try:
        step()
    except Throttled as exc:
        wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
        defer(message, wait, f"{exc.service} throttled")
