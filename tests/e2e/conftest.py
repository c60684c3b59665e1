"""The end-to-end stack, started for each test module and stopped after it.

Each module gets its own Azurite too: a devhost polls every queue of its storage account, so two
stacks sharing one account would take each other's messages.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.services import Services
from tests.e2e.stack import Stack, start_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Services() as services:
        azurite = services.start_azurite()
        yield start_stack(services, azurite, tmp_path_factory.mktemp("graph-cert"))
