"""`ProcoreClient`: the one client the app uses for Procore, built from the settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

import httpx

from shared.config import Settings
from shared.procore.documents import DocumentOperations
from shared.procore.photos import PhotoOperations
from shared.procore.projects import ProjectOperations
from shared.procore.session import ProcoreSession
from shared.procore.tool_items import ToolOperations
from shared.procore.webhooks import WebhookOperations


class ProcoreClient(
    ProjectOperations, DocumentOperations, PhotoOperations, ToolOperations, WebhookOperations
):
    """Documents, Photos, the one-way tools and webhooks, over one connection pool.

    Errors are `shared.errors` types; `Throttled.retry_at` says when to re-enqueue. Lists are
    iterators that fetch page by page, so a caller can stop early.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._session = ProcoreSession(settings, transport=transport, clock=clock, sleep=sleep)

    @property
    def session(self) -> ProcoreSession:
        return self._session

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ProcoreClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
