"""Fixtures shared by the whole suite: Azurite and app settings pointing at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost.services import Azurite, Services

REPO_ROOT = Path(__file__).resolve().parent.parent


def example_settings() -> dict[str, str]:
    """The values of local.settings.example.json (every setting, with a working local value)."""
    values = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    return {k: str(v) for k, v in values.items()}


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
def app_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite) -> dict[str, str]:
    """Example settings with storage pointed at the session's Azurite, set in the environment."""
    from shared.config import get_settings

    env = example_settings()
    env["AzureWebJobsStorage"] = azurite.connection_string
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()
