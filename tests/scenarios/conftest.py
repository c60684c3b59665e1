"""Each scenario module runs on a stack of its own (its own Azurite too: a devhost polls every
queue of its storage account). A module may set `stack_settings` (app settings) and
`procore_args` (Procore emulator options) for its stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.services import Services
from devhost.stack import GENEROUS_PROCORE_LIMITS
from tests.e2e.stack import Stack, start_stack
from tests.scenarios.harness import ROOT


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    overrides = dict(getattr(request.module, "stack_settings", {}))
    procore_args = tuple(getattr(request.module, "procore_args", ()))
    with Services() as services:
        azurite = services.start_azurite()
        started = start_stack(
            services,
            azurite,
            tmp_path_factory.mktemp("graph-cert"),
            env_overrides=overrides,
            procore_args=(*GENEROUS_PROCORE_LIMITS, *procore_args),
        )
        started.graph.act(action="create", path=f"/{ROOT}", folder=True)
        yield started
