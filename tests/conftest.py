"""Fixtures shared by the whole suite: Azurite and app settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.services import REPO_ROOT, Azurite, Services
from devhost.stack import app_environment, example_settings

__all__ = ["REPO_ROOT", "example_settings"]


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """Local services for the session; everything started here is stopped at the end."""
    with Services() as svc:
        yield svc


@pytest.fixture(scope="session")
def azurite(services: Services) -> Azurite:
    """One in-memory Azurite for the session (tests isolate themselves by table prefix/queue)."""
    return services.start_azurite()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite) -> Iterator[dict[str, str]]:
    """Example settings with storage pointed at the session's Azurite, set in the environment."""
    from shared.config import get_settings

    env = app_environment(azurite)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()
