"""What the receivers and timers work with: settings, the state store, the queues, a clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.config import Settings
from shared.queues import QueueMessage
from shared.state import StateStore
from shared.state.clock import Clock, utc_now


class MessageSender(Protocol):
    def send(self, message: QueueMessage, *, delay_s: float = 0) -> str: ...


@dataclass(frozen=True)
class IntakeContext:
    settings: Settings
    store: StateStore
    queue: MessageSender
    clock: Clock = utc_now

    @classmethod
    def from_runtime(cls) -> IntakeContext:
        from shared import runtime
        from shared.config import get_settings

        return cls(get_settings(), runtime.state_store(), runtime.queue_sender())
