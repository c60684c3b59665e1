"""Fixtures for the Graph client tests: settings, a fake token source for unit tests, and the
Graph emulator (HTTPS, trusted through GRAPH_CA_BUNDLE) for the contract tests."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.services import Services
from shared.config import Settings, load_settings
from shared.graph import GraphClient
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


class Emulator:
    """The running Graph emulator: its URLs, certificate and control API."""

    def __init__(self, base_url: str, cert: Path) -> None:
        self.base_url = base_url
        self.cert = cert
        self.control = httpx.Client(
            base_url=f"{base_url}/_emulator", verify=ssl.create_default_context(cafile=str(cert))
        )

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "GRAPH_AUTHORITY_HOST": self.base_url,
            "GRAPH_API_URL": f"{self.base_url}/v1.0",
            "GRAPH_CA_BUNDLE": str(self.cert),
            "GRAPH_UPLOAD_CHUNK_BYTES": str(320 * 1024),
            "GRAPH_SIMPLE_UPLOAD_MAX_BYTES": str(256 * 1024),
        }
        values.update(overrides)
        return graph_settings(**values)

    def client(self, **overrides: Any) -> GraphClient:
        return GraphClient(self.settings(**overrides))

    def post(self, path: str, body: Any = None) -> Any:
        response = self.control.post(path, json=body if body is not None else {})
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def get(self, path: str, **params: Any) -> Any:
        response = self.control.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def content(self, drive_id: str, path: str) -> bytes:
        response = self.control.get(f"/drives/{drive_id}/content", params={"path": path})
        assert response.status_code == 200, response.text
        return response.content

    def seed(self, drive_id: str, tree: dict[str, Any], under: str | None = None) -> Any:
        body: dict[str, Any] = {"tree": tree}
        if under:
            body["under"] = under
        return self.post(f"/drives/{drive_id}/seed", body)["items"]

    def act(self, drive_id: str, **action: Any) -> Any:
        return self.post(f"/drives/{drive_id}/actions", action)


@pytest.fixture(scope="session")
def graph_emulator(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Emulator:
    """One Graph emulator (HTTPS, self-signed certificate) for the session."""
    cert_dir = tmp_path_factory.mktemp("graph-cert")
    cert = cert_dir / "graph-emulator-cert.pem"
    _, base_url = services.start_python_server(
        "graph",
        "emulators.graph",
        args=["--cert-dir", str(cert_dir), "--seed", "demo"],
        ready_path="/_emulator/health",
        scheme="https",
        verify=str(cert),
    )
    return Emulator(base_url, cert)


@pytest.fixture
def emulator(graph_emulator: Emulator) -> Iterator[Emulator]:
    """The emulator reset to its demo seed (every test starts from the same state)."""
    graph_emulator.post("/reset", {"seed": "demo"})
    yield graph_emulator
    graph_emulator.control.delete("/faults")


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[GraphClient]:
    with emulator.client() as client:
        yield client
