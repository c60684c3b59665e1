"""Process-wide objects built once from the settings (clients reuse their connection pools).

Handlers reach the outside world through these; tests and devhost get fresh ones by clearing
the caches (`reset()`).
"""

from __future__ import annotations

from functools import lru_cache

from shared.config import get_settings
from shared.graph.client import GraphClient
from shared.procore.client import ProcoreClient
from shared.queues import QueueSender
from shared.state import StateStore
from shared.storage import queue_service


@lru_cache(maxsize=1)
def queue_sender() -> QueueSender:
    return QueueSender(queue_service(get_settings()))


@lru_cache(maxsize=1)
def state_store() -> StateStore:
    return StateStore.from_settings(get_settings())


@lru_cache(maxsize=1)
def procore_client() -> ProcoreClient:
    return ProcoreClient(get_settings())


@lru_cache(maxsize=1)
def graph_client() -> GraphClient:
    return GraphClient(get_settings())


def reset() -> None:
    """Forget every cached object (after the settings changed)."""
    for factory in (queue_sender, state_store, procore_client, graph_client):
        factory.cache_clear()
    get_settings.cache_clear()
