"""Fires timer triggers on their six-field NCRONTAB schedule, in UTC (API-NOTES C4).

NCRONTAB puts seconds first: `{second} {minute} {hour} {day} {month} {day-of-week}`; croniter
reads that order with `second_at_beginning=True`. As in the real host, one timer function never
overlaps itself: the next occurrence is taken after the current invocation ends, and an
invocation that starts more than `PAST_DUE_S` after its occurrence is flagged `past_due`.
Not reproduced: `useMonitor` (schedule status persisted across restarts) and the TimeSpan
schedule form of App Service plans.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime

from azure.functions.timer import TimerRequest
from croniter import croniter

from devhost.catalog import CatalogError, TimerFunction
from devhost.invoker import Invoker

log = logging.getLogger("devhost.timers")

PAST_DUE_S = 1.0


def parse_schedule(entry: TimerFunction) -> croniter:
    fields = entry.schedule.split()
    if len(fields) != 6:
        raise CatalogError(
            f"function {entry.name}: schedule {entry.schedule!r} is not a six-field NCRONTAB "
            "expression ({second} {minute} {hour} {day} {month} {day-of-week})"
        )
    try:
        return croniter(entry.schedule, datetime.now(UTC), second_at_beginning=True)
    except (ValueError, KeyError) as exc:
        raise CatalogError(
            f"function {entry.name}: bad schedule {entry.schedule!r}: {exc}"
        ) from None


def next_occurrence(schedule: str, after: datetime) -> datetime:
    nxt: datetime = croniter(schedule, after, second_at_beginning=True).get_next(datetime)
    return nxt


class TimerRunner:
    def __init__(self, entry: TimerFunction, invoker: Invoker) -> None:
        parse_schedule(entry)
        self.entry = entry
        self._invoker = invoker
        self._stopping = threading.Event()
        self._last: datetime | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"devhost-timer-{entry.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def drain(self, deadline_s: float) -> bool:
        self._thread.join(timeout=deadline_s)
        return not self._thread.is_alive()

    def fire_now(self) -> None:
        """Run the function once now, beside its schedule (the host's admin "run" call)."""
        threading.Thread(
            target=self._fire,
            args=(datetime.now(UTC),),
            name=f"devhost-timer-{self.entry.name}-manual",
            daemon=True,
        ).start()

    def _run(self) -> None:
        last_due = datetime.now(UTC)
        if self.entry.run_on_startup:
            self._fire(last_due)
        while not self._stopping.is_set():
            due = next_occurrence(self.entry.schedule, max(datetime.now(UTC), last_due))
            wait_s = (due - datetime.now(UTC)).total_seconds()
            if self._stopping.wait(max(wait_s, 0)):
                return
            self._fire(due)
            last_due = due

    def _fire(self, due: datetime) -> None:
        try:
            self._invoke(due)
        except Exception:  # the function's own failures are logged by the invoker
            log.exception("timer invocation could not be made", extra={"function": self.entry.name})

    def _invoke(self, due: datetime) -> None:
        now = datetime.now(UTC)
        past_due = (now - due).total_seconds() > PAST_DUE_S
        nxt = next_occurrence(self.entry.schedule, now)
        status = {
            "Last": (self._last or now).isoformat(),
            "Next": nxt.isoformat(),
            "LastUpdated": now.isoformat(),
        }
        request = TimerRequest(
            past_due=past_due, schedule_status=status, schedule={"AdjustForDST": True}
        )
        self._last = now
        # A failure is logged by the invoker; the timer keeps its schedule, as in the real host.
        with contextlib.suppress(Exception):
            self._invoker.call(
                self.entry,
                request,
                trigger="timer",
                scheduled_for=due.isoformat(),
                past_due=past_due,
            )
