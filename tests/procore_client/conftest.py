"""The Procore emulator for the client's contract tests: one server per session, reset per test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devhost.services import Services
from shared.procore import ProcoreClient, Scope
from tests.procore_client.fakes import settings

COMPANY_ID = 4300000001
PROJECT_ID = 4300000101
FORBIDDEN_PROJECT_ID = 4300000102
GENEROUS = {"spike_limit": 100_000, "hourly_limit": 1_000_000, "spike_window_s": 10}


class Emulator:
    """The emulator's control API (`/_emulator/...`), as a test drives it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"/_emulator{path}", **kwargs)
        assert response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def reset(self, seed: str = "demo") -> None:
        self.control("POST", "/reset", json={"seed": seed})
        self.control("PATCH", "/config", json=GENEROUS)
        self.control("DELETE", "/counters")

    def counters(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", "/counters")
        return result

    def counters_when(
        self, ready: Callable[[dict[str, Any]], bool], deadline_s: float = 5.0
    ) -> dict[str, Any]:
        """The counters once `ready` holds: the emulator counts a request after its response has
        gone out, so the last one may land a moment after the client has read it."""
        deadline = time.monotonic() + deadline_s
        snapshot = self.counters()
        while not ready(snapshot) and time.monotonic() < deadline:
            time.sleep(0.01)
            snapshot = self.counters()
        return snapshot

    def counters_at(self, total: int) -> dict[str, Any]:
        """The counters once `total` requests have been counted."""
        return self.counters_when(lambda c: c["total"] >= total)

    def count(self, endpoint: str) -> int:
        return int(self.counters()["by_endpoint"].get(endpoint, 0))

    def lookup(self, path: str, *, project_id: int | None = PROJECT_ID) -> dict[str, Any]:
        params = {"project_id": project_id} if project_id else {"company_id": COMPANY_ID}
        result: dict[str, Any] = self.control("GET", "/lookup", params={**params, "path": path})
        return result

    def tree(self, project_id: int = PROJECT_ID) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", f"/projects/{project_id}/tree")
        return result

    def file_content(self, file_id: int, version: int | None = None) -> bytes:
        params = {"version": version} if version is not None else None
        response = self.http.get(f"/_emulator/files/{file_id}/content", params=params)
        assert response.status_code == 200, response.text
        return response.content

    def file_info(self, file_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", f"/files/{file_id}")
        return result

    def add_fault(self, **spec: Any) -> None:
        self.control("POST", "/faults", json=spec)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    with Services() as services:
        _, base_url = services.start_python_server(
            "procore",
            "emulators.procore",
            ["--seed", "none", "--log-level", "WARNING"],
            ready_path="/_emulator/health",
        )
        emulator = Emulator(base_url)
        yield emulator
        emulator.http.close()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The emulator holding just the demo seed, generous limits and zeroed counters."""
    emulator_server.reset("demo")
    return emulator_server


def make_client(emulator: Emulator, **overrides: Any) -> ProcoreClient:
    return ProcoreClient(
        settings(PROCORE_API_URL=emulator.base_url, PROCORE_AUTH_URL=emulator.base_url, **overrides)
    )


@pytest.fixture
def client(emulator: Emulator) -> Iterator[ProcoreClient]:
    with make_client(emulator) as procore:
        yield procore


@pytest.fixture
def project() -> Scope:
    return Scope.project(COMPANY_ID, PROJECT_ID)


@pytest.fixture
def company() -> Scope:
    return Scope.company(COMPANY_ID)


def no_emulator_errors(emulator: Emulator) -> None:
    assert emulator.counters()["emulator_errors"] == 0
