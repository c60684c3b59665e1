"""Fixtures of the intake tests: one world per session of this package (own Azurite, both
emulators, a notification endpoint), and per test fresh tables (a table prefix) and queues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.services import Services
from shared.config import Settings
from shared.intake.context import IntakeContext
from tests.intake.world import NotificationEndpoint, Queues, World, context_for, start_world


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with Services() as services:
        started = start_world(services, tmp_path_factory.mktemp("intake-graph-cert"))
        try:
            yield started
        finally:
            for client in started.clients:
                client.close()
            started.endpoint.close()


@pytest.fixture
def settings(world: World) -> Settings:
    return world.settings()


@pytest.fixture
def context(settings: Settings, world: World) -> IntakeContext:
    made = context_for(settings)
    world.endpoint.context = made
    return made


@pytest.fixture
def queues(settings: Settings, context: IntakeContext) -> Iterator[Queues]:
    reader = Queues(settings)
    reader.ticks()
    reader.pulls()
    yield reader


__all__ = ["NotificationEndpoint"]
