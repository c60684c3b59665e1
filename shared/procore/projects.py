"""Projects the app may see (DMSA permitted projects, API-NOTES A1)."""

from __future__ import annotations

from shared.procore.models import ProcoreModel
from shared.procore.scope import Scope
from shared.procore.session import ProcoreSession


class ProcoreProject(ProcoreModel):
    id: int
    name: str
    display_name: str | None = None
    project_number: str | None = None
    active: bool | None = None


class ProjectOperations:
    _session: ProcoreSession

    def get_project(self, scope: Scope) -> ProcoreProject:
        """The project; `PermissionDenied`/`NotFound` when the app is not permitted on it."""
        project_id = scope.require_project()
        response = self._session.request(
            "GET",
            f"/rest/v1.0/projects/{project_id}",
            company_id=scope.company_id,
            params={"company_id": scope.company_id},
        )
        return ProcoreProject.model_validate(response.json())
