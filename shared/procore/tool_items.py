"""Read-only lists and details of the one-way tools (API-NOTES A8), with `filters[updated_at]`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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


class ToolEndpoint(StrEnum):
    """The Procore list endpoints behind the one-way tools (API-NOTES A8).

    Not the user-facing tool (`shared.mapping.Tool`, e.g. "drawings"): one tool may read several
    endpoints (drawings read `drawing_revisions`). `shared.export.tools` maps one to the other.
    """

    RFIS = "rfis"
    SUBMITTALS = "submittals"
    DRAWING_REVISIONS = "drawing_revisions"
    FORMS = "forms"
    OBSERVATIONS = "observations"
    INSPECTIONS = "inspections"
    INCIDENTS = "incidents"
    COMMITMENTS = "commitments"


Tool = ToolEndpoint
"""Former name, kept for callers that still use it."""


@dataclass(frozen=True)
class ToolPage:
    """One page of a tool's list: the rows as sent, and whether more pages follow."""

    rows: list[dict[str, Any]]
    page: int
    last_page: int
    total: int | None


def _tool_path(tool: ToolEndpoint, project_id: int) -> tuple[str, dict[str, Any]]:
    """The list path of a tool and its project parameter (some take it in the query)."""
    if tool is ToolEndpoint.OBSERVATIONS:
        return "/rest/v1.0/observations/items", {"project_id": project_id}
    if tool is ToolEndpoint.SUBMITTALS:
        return f"/rest/v1.1/projects/{project_id}/submittals", {}
    if tool is ToolEndpoint.INSPECTIONS:
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
        tool: ToolEndpoint,
        *,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> Iterator[ToolItem]:
        """A tool's items, optionally only those updated in a time range."""
        path, params = _tool_path(tool, scope.require_project())
        params["filters[updated_at]"] = updated_range(updated_since, updated_until)
        for row in self._list(scope, path, params):
            yield ToolItem.model_validate(row)

    def tool_page(
        self,
        scope: Scope,
        tool: ToolEndpoint,
        page: int,
        *,
        per_page: int,
        updated_since: datetime | None = None,
    ) -> ToolPage:
        """Page `page` (1-based) of a tool's list, sorted by id so pages stay stable while items
        change; `last_page` from the `Total` header (API-NOTES A3) so the caller can fan out."""
        path, params = _tool_path(tool, scope.require_project())
        params.update(
            {
                "page": page,
                "per_page": per_page,
                "sort": "id",
                "filters[updated_at]": updated_range(updated_since, None),
            }
        )
        response = self._session.request("GET", path, company_id=scope.company_id, params=params)
        rows = [r for r in page_rows(response.json()) if isinstance(r, dict)]
        total_header = response.headers.get("Total")
        total = int(total_header) if total_header and total_header.isdigit() else None
        if total is not None:
            last = max(1, -(-total // per_page))
        else:
            last = page + 1 if "next" in response.links else page
        return ToolPage(rows=rows, page=page, last_page=last, total=total)

    def get_tool_item(self, scope: Scope, tool: ToolEndpoint, item_id: int) -> ToolItem:
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
