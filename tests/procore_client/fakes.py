"""Settings and a fake clock for the client's unit tests (httpx.MockTransport, no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx

from shared.config import Settings, load_settings
from shared.procore import ProcoreClient

REPO_ROOT = Path(__file__).resolve().parents[2]
API = "http://procore.test"


def settings(**overrides: Any) -> Settings:
    """The example settings with Procore pointed at `base` and any overrides (by alias)."""
    values = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    values = {k: str(v) for k, v in values.items()}
    values.update(PROCORE_API_URL=API, PROCORE_AUTH_URL=API)
    values.update({k: str(v) for k, v in overrides.items()})
    return load_settings(**values)


class FakeClock:
    """Wall-clock seconds that only move when the code under test sleeps (or a test says so)."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def rate_headers(
    clock: FakeClock, remaining: int, reset_in: float, limit: int = 100, date_skew: float = 0.0
) -> dict[str, str]:
    """Rate-limit headers as Procore sends them, with `Date` (optionally skewed from local)."""
    server_now = clock.now + date_skew
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(int(server_now + reset_in)),
        "Date": formatdate(server_now, usegmt=True),
    }


Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers the token endpoint and records every request."""

    def __init__(self, api: Handler, *, token_expires_in: int = 5400) -> None:
        self.api = api
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_expires_in = token_expires_in

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth/token":
            self.tokens_issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"token-{self.tokens_issued}",
                    "token_type": "bearer",
                    "expires_in": self.token_expires_in,
                    "created_at": 0,
                },
            )
        return self.api(request)

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/oauth/token"]


def client_for(
    api: Handler, clock: FakeClock | None = None, **overrides: Any
) -> tuple[ProcoreClient, Recorder, FakeClock]:
    clock = clock or FakeClock()
    recorder = Recorder(api)
    client = ProcoreClient(
        settings(**overrides),
        transport=httpx.MockTransport(recorder),
        clock=clock.time,
        sleep=clock.sleep,
    )
    return client, recorder, clock
