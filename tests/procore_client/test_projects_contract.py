"""Contract: reading a project the app is (or is not) permitted on."""

from __future__ import annotations

import pytest

from shared.errors import NotFound, PermissionDenied
from shared.procore import ProcoreClient, Scope
from tests.procore_client.conftest import COMPANY_ID, FORBIDDEN_PROJECT_ID, PROJECT_ID

pytestmark = pytest.mark.integration


def test_a_permitted_project_is_read(client: ProcoreClient, project: Scope) -> None:
    found = client.get_project(project)
    assert (found.id, found.name) == (PROJECT_ID, "Harbor View Tower")


def test_a_project_outside_the_permitted_ones_is_refused(client: ProcoreClient) -> None:
    with pytest.raises(PermissionDenied):
        client.get_project(Scope.project(COMPANY_ID, FORBIDDEN_PROJECT_ID))
    with pytest.raises(NotFound):
        client.get_project(Scope.project(COMPANY_ID, 4300000999))
