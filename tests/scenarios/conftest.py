"""Each scenario module runs on a stack of its own (its own Azurite too: a devhost polls every
queue of its storage account)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.services import Services
from tests.e2e.stack import Stack, start_stack
from tests.scenarios.harness import ROOT

STACK_SETTINGS: dict[str, str] = {}
"""Settings a module wants for its stack: set `stack_settings` in the module to override."""


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    overrides = dict(getattr(request.module, "stack_settings", {}))
    procore_args = tuple(getattr(request.module, "procore_args", ()))
    with Services() as services:
        azurite = services.start_azurite()
        kwargs = {"procore_args": (*STACK_PROCORE_LIMITS, *procore_args)}
        started = start_stack(
            services,
            azurite,
            tmp_path_factory.mktemp("graph-cert"),
            env_overrides=overrides,
            **kwargs,
        )
        started.graph.act(action="create", path=f"/{ROOT}", folder=True)
        yield started


STACK_PROCORE_LIMITS = ("--spike-limit", "100000", "--hourly-limit", "10000000")
