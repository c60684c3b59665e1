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
from devhost.stack import GraphSide, ProcoreSide, app_environment, start_emulators
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
        emulators = start_emulators(services, cert_dir)
        env = app_environment(
            azurite,
            **emulators.app_settings(),
            TABLE_PREFIX="sync" + uuid.uuid4().hex[:8],
            QUIET_PERIOD_S="0",
        )
        for key, value in env.items():
            env_patch.setenv(key, value)
        runtime.reset()
        settings = load_settings(**{k: v for k, v in env.items() if v != ""})
        try:
            yield Sides(azurite, emulators.procore, emulators.graph, settings)
        finally:
            runtime.reset()
