"""One Procore emulator for this package's tests; each test starts from a fresh demo world."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from devhost.services import Services

COMPANY_ID = 4300000001
PROJECT_ID = 4300000101
HIDDEN_PROJECT_ID = 4300000102
CLIENT_ID = "local-procore-client"
CLIENT_SECRET = "local-procore-secret"

# Generous limits for the suite; tests that pin the limits set small ones via the control API.
BASE_CONFIG = {
    "hourly_limit": 1_000_000,
    "spike_limit": 100_000,
    "hourly_window_s": 3600,
    "spike_window_s": 10,
    "default_per_page": 100,
    "max_per_page": 1000,
    "webhook_retry_base_s": 0.05,
    "webhook_retry_cap_s": 0.2,
    "webhook_discard_after_s": 43200,
    "webhook_timeout_s": 5,
    "webhook_duplicates": False,
    "storage_url_ttl_s": 600,
    "upload_url_ttl_s": 3600,
    "token_lifetime_s": 5400,
}


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    with Services() as services:
        _, base_url = services.start_python_server(
            "procore",
            "emulators.procore",
            ["--seed", "demo", "--log-level", "WARNING"],
            ready_path="/_emulator/health",
        )
        yield base_url


@dataclass
class Procore:
    """A test's view of the emulator: an authenticated client plus the control API."""

    base: str
    http: httpx.Client
    token: str = ""

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"{self.base}/_emulator{path}", **kwargs)

    def new_token(self) -> str:
        response = self.http.post(
            f"{self.base}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def headers(self, company: int | None = COMPANY_ID) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if company is not None:
            headers["Procore-Company-Id"] = str(company)
        return headers

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        return self.http.get(f"{self.base}/rest{path}", headers=headers, **kwargs)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.base}/rest{path}", headers=headers, **kwargs)

    def lookup(self, path: str, project_id: int = PROJECT_ID) -> int:
        response = self.control("GET", "/lookup", params={"project_id": project_id, "path": path})
        assert response.status_code == 200, response.text
        return int(response.json()["id"])

    def content(self, file_id: int) -> bytes:
        return self.control("GET", f"/files/{file_id}/content").content


@pytest.fixture
def procore(emulator_url: str) -> Iterator[Procore]:
    with httpx.Client(timeout=30) as http:
        api = Procore(emulator_url, http)
        assert api.control("POST", "/reset", json={"seed": "demo"}).status_code == 200
        assert api.control("PATCH", "/config", json=BASE_CONFIG).status_code == 200
        api.token = api.new_token()
        yield api
        counters = api.control("GET", "/counters").json()
        assert counters["emulator_errors"] == 0


@dataclass
class Receiver:
    """A local webhook endpoint recording every POST; answers `statuses` in turn, then 200."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.received.append(
                    {"headers": dict(self.headers.items()), "json": json.loads(body or b"null")}
                )
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/procore-hook"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
