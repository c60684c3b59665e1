"""The end-to-end stack, started once per test module."""

from __future__ import annotations

import pytest

from devhost.services import Azurite, Services
from tests.e2e.stack import Stack, start_stack


@pytest.fixture(scope="module")
def stack(services: Services, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    return start_stack(services, azurite, tmp_path_factory.mktemp("graph-cert"))
