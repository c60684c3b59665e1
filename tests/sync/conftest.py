"""Azurite and both emulators for the sync-step tests, without a devhost: the tests call the
engine's functions directly, with the app's settings (and `shared.runtime` clients) pointed at
what was started here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devhost.services import Azurite, Services
from devhost.stack import COMPANY, GraphSide, ProcoreSide, app_environment
from shared import runtime
from shared.config import Settings, load_settings


@dataclass
class Sides:
    azurite: Azurite
    procore: ProcoreSide
    graph: GraphSide
    settings: Settings


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sides]:
    cert_dir: Path = tmp_path_factory.mktemp("graph-cert")
    with Services() as services, pytest.MonkeyPatch.context() as env_patch:
        azurite = services.start_azurite()
        _, procore_url = services.start_python_server(
            "procore",
            "emulators.procore",
            ["--seed", "none", "--spike-limit", "100000", "--hourly-limit", "10000000"],
            ready_path="/_emulator/health",
        )
        cert = cert_dir / "graph-emulator-cert.pem"
        _, graph_url = services.start_python_server(
            "graph",
            "emulators.graph",
            ["--cert-dir", str(cert_dir), "--seed", "demo"],
            ready_path="/_emulator/health",
            scheme="https",
            verify=str(cert),
        )
        procore = ProcoreSide(procore_url)
        procore.call(
            "POST",
            "/seed",
            {
                "company": {"id": COMPANY, "name": "Contoso Construction"},
                "projects": [],
                "clients": [
                    {"client_id": "local-procore-client", "client_secret": "local-procore-secret"}
                ],
            },
        )
        env = app_environment(
            azurite,
            PROCORE_AUTH_URL=procore_url,
            PROCORE_API_URL=procore_url,
            GRAPH_AUTHORITY_HOST=graph_url,
            GRAPH_API_URL=f"{graph_url}/v1.0",
            GRAPH_CA_BUNDLE=str(cert),
            TABLE_PREFIX="sync" + uuid.uuid4().hex[:8],
            QUIET_PERIOD_S="0",
        )
        for key, value in env.items():
            env_patch.setenv(key, value)
        runtime.reset()
        settings = load_settings(**{k: v for k, v in env.items() if v != ""})
        try:
            yield Sides(azurite, procore, GraphSide(graph_url, cert), settings)
        finally:
            runtime.reset()
