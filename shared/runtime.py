"""Process-wide objects built once from the settings (clients reuse their connection pools)."""

from __future__ import annotations

from functools import lru_cache

from shared.config import get_settings
from shared.queues import QueueSender
from shared.storage import queue_service


@lru_cache(maxsize=1)
def queue_sender() -> QueueSender:
    return QueueSender(queue_service(get_settings()))
