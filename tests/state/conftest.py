"""Fixtures for the state-store tests: a store per test, isolated by its own table prefix."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.config import Settings, get_settings
from shared.state import StateStore
from shared.state.tables import StateTable
from shared.storage import table_service
from tests.state.clock import MovableClock


@pytest.fixture
def settings(app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """App settings with a table prefix of this test's own."""
    monkeypatch.setenv("TABLE_PREFIX", "t" + uuid.uuid4().hex[:16])
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def store(settings: Settings, clock: MovableClock) -> StateStore:
    return StateStore.from_settings(settings, clock=clock)


@pytest.fixture
def scratch(settings: Settings) -> StateTable:
    """A raw table of this test's own for the low-level tests."""
    return StateTable(table_service(settings), settings.table_name("Scratch"))


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> Callable[[StateTable], list[int]]:
    """Record the size of every entity-group transaction a table sends to Azurite."""

    def spy(table: StateTable) -> list[int]:
        sizes: list[int] = []
        original = table.client.submit_transaction

        def submit(operations: Any, **kwargs: Any) -> Any:
            operations = list(operations)
            sizes.append(len(operations))
            return original(operations, **kwargs)

        monkeypatch.setattr(table.client, "submit_transaction", submit)
        return sizes

    return spy
