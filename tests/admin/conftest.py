"""Fixtures for the admin service tests: a state store of the test's own (Azurite, its own
table prefix) and fakes for both APIs and the queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from shared.admin import ProjectAdmin
from shared.config import Settings, get_settings
from shared.state import StateStore
from tests.admin.fakes import FakeProcore, FakeSharePoint, RecordingSender
from tests.state.clock import MovableClock


@pytest.fixture
def settings(app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("TABLE_PREFIX", "a" + uuid.uuid4().hex[:16])
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
def procore() -> FakeProcore:
    return FakeProcore()


@pytest.fixture
def graph() -> FakeSharePoint:
    return FakeSharePoint()


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def admin(
    store: StateStore,
    sender: RecordingSender,
    procore: FakeProcore,
    graph: FakeSharePoint,
    clock: MovableClock,
) -> ProjectAdmin:
    runs = iter(f"run-{n}" for n in range(1, 1000))
    return ProjectAdmin(store, sender, procore, graph, clock=clock, run_ids=lambda: next(runs))
