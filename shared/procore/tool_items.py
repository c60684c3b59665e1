"""Read-only lists and details of the one-way tools (API-NOTES A8), with `filters[updated_at]`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.config import Settings
from shared.procore.documents import updated_range
from shared.procore.scope import Scope
from shared.procore.session import ProcoreSession, page_rows
from shared.procore.tool_models import (
    DrawingArea,
    DrawingRevision,
    DrawingSet,
    RfiReply,
    ToolItem,
)


class Tool(StrEnum):
    """The one-way tools exported as a PDF per item plus attachments."""

    RFIS = "rfis"
    SUBMITTALS = "submittals"
    DRAWING_REVISIONS = "drawing_revisions"
    FORMS = "forms"
    OBSERVATIONS = "observations"
    INSPECTIONS = "inspections"
    INCIDENTS = "incidents"
    COMMITMENTS = "commitments"


def _tool_path(tool: Tool, project_id: int) -> tuple[str, dict[str, Any]]:
    """The list path of a tool and its project parameter (some take it in the query)."""
    if tool is Tool.OBSERVATIONS:
        return "/rest/v1.0/observations/items", {"project_id": project_id}
    if tool is Tool.SUBMITTALS:
        return f"/rest/v1.1/projects/{project_id}/submittals", {}
    if tool is Tool.INSPECTIONS:
        return f"/rest/v1.0/projects/{project_id}/checklist/lists", {}
    return f"/rest/v1.0/projects/{project_id}/{tool.value}", {}


class ToolOperations:
    _session: ProcoreSession
    _settings: Settings

    def _list(self, scope: Scope, path: str, params: dict[str, Any]) -> Iterator[Any]:
        params = {**params, "per_page": self._settings.procore_per_page}
        for page in self._session.pages(path, company_id=scope.company_id, params=params):
            yield from page_rows(page.json())

    def list_tool_items(
        self,
        scope: Scope,
        tool: Tool,
        *,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> Iterator[ToolItem]:
        """A tool's items, optionally only those updated in a time range."""
        path, params = _tool_path(tool, scope.require_project())
        params["filters[updated_at]"] = updated_range(updated_since, updated_until)
        for row in self._list(scope, path, params):
            yield ToolItem.model_validate(row)

    def get_tool_item(self, scope: Scope, tool: Tool, item_id: int) -> ToolItem:
        """One item in full, with its attachments."""
        path, params = _tool_path(tool, scope.require_project())
        response = self._session.request(
            "GET", f"{path}/{item_id}", company_id=scope.company_id, params=params
        )
        return ToolItem.model_validate(response.json())

    def list_rfi_replies(self, scope: Scope, rfi_id: int) -> Iterator[RfiReply]:
        path = f"/rest/v1.0/projects/{scope.require_project()}/rfis/{rfi_id}/replies"
        for row in self._list(scope, path, {}):
            yield RfiReply.model_validate(row)

    def list_drawing_areas(self, scope: Scope) -> Iterator[DrawingArea]:
        path = f"/rest/v1.0/projects/{scope.require_project()}/drawing_areas"
        for row in self._list(scope, path, {}):
            yield DrawingArea.model_validate(row)

    def list_drawing_sets(self, scope: Scope) -> Iterator[DrawingSet]:
        path = f"/rest/v1.0/projects/{scope.require_project()}/drawing_sets"
        for row in self._list(scope, path, {}):
            yield DrawingSet.model_validate(row)

    def list_drawing_revisions(
        self,
        scope: Scope,
        *,
        drawing_area_id: int | None = None,
        drawing_set_id: int | None = None,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> Iterator[DrawingRevision]:
        """Drawing revisions with `pdf_url` (their content)."""
        path = f"/rest/v1.0/projects/{scope.require_project()}/drawing_revisions"
        params: dict[str, Any] = {
            "drawing_area_id": drawing_area_id,
            "drawing_set_id": drawing_set_id,
            "filters[updated_at]": updated_range(updated_since, updated_until),
        }
        for row in self._list(scope, path, params):
            yield DrawingRevision.model_validate(row)

    def get_drawing_revision(self, scope: Scope, revision_id: int) -> DrawingRevision:
        path = f"/rest/v1.0/projects/{scope.require_project()}/drawing_revisions/{revision_id}"
        response = self._session.request("GET", path, company_id=scope.company_id)
        return DrawingRevision.model_validate(response.json())
