"""Helpers for tests that talk to Azurite and the emulators."""

from __future__ import annotations

from devhost.services import Azurite
from shared.config import Settings, load_settings
from tests.conftest import example_settings


def app_settings(azurite: Azurite, **overrides: str) -> Settings:
    """The example settings with storage pointed at `azurite` (and any overrides)."""
    values = {k: v for k, v in example_settings().items() if v != ""}
    values["AzureWebJobsStorage"] = azurite.connection_string
    values.update(overrides)
    return load_settings(**values)
