"""The skeleton's end-to-end checks: settings status and the ping round trip."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from shared.config import ConfigError, load_settings
from shared.queues import Ping, PingReply, QueueSender


class HealthReport(BaseModel):
    status: str
    settings_ok: bool
    problems: list[str]


def health_report() -> HealthReport:
    """Whether the app's settings are valid (names of bad settings only, never values)."""
    try:
        load_settings()
    except ConfigError as exc:
        problems = [line.strip().removeprefix("- ") for line in str(exc).splitlines()[1:]]
        return HealthReport(status="misconfigured", settings_ok=False, problems=problems)
    return HealthReport(status="ok", settings_ok=True, problems=[])


def answer_ping(ping: Ping, sender: QueueSender) -> PingReply:
    """Reply to a ping on the replies queue (idempotent: a repeated ping repeats the reply)."""
    reply = PingReply(ping_id=ping.ping_id, sent_at=ping.sent_at, answered_at=datetime.now(UTC))
    sender.send(reply)
    return reply
