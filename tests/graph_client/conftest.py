"""Fixtures for the Graph client tests: settings, and a fake token source for unit tests."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config import Settings, load_settings
from shared.graph.auth import GraphAuth
from tests.conftest import example_settings

API = "https://graph.test/v1.0"


def graph_settings(**overrides: Any) -> Settings:
    """The example settings with Graph pointed wherever a test needs it."""
    values: dict[str, Any] = example_settings()
    values.update(
        {
            "GRAPH_AUTHORITY_HOST": "https://login.test",
            "GRAPH_API_URL": API,
            "GRAPH_CA_BUNDLE": "",
            "GRAPH_CLIENT_CERT_PATH": "",
            "GRAPH_CLIENT_CERT_THUMBPRINT": "",
        }
    )
    values.update(overrides)
    for key in ("GRAPH_CA_BUNDLE", "GRAPH_CLIENT_CERT_PATH", "GRAPH_CLIENT_CERT_THUMBPRINT"):
        if values.get(key) == "":
            values.pop(key)
    return load_settings(**values)


class FixedToken(GraphAuth):
    """A token source that needs no identity host (unit tests with httpx.MockTransport)."""

    def __init__(self, settings: Settings, token: str = "unit-test-token") -> None:
        super().__init__(settings)
        self.value = token
        self.calls = 0

    def token(self) -> str:
        self.calls += 1
        return self.value


@pytest.fixture
def unit_settings() -> Settings:
    return graph_settings()
