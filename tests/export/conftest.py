"""The export's end-to-end stack: its own Azurite (a devhost polls every queue of its storage
account, so stacks must not share one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devhost.services import Services
from devhost.stack import Stack, start_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Services() as services:
        azurite = services.start_azurite()
        yield start_stack(
            services,
            azurite,
            tmp_path_factory.mktemp("graph-cert"),
            env_overrides={"EXPORT_PAGE_SIZE": "3"},
        )
