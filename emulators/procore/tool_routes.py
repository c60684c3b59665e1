"""Read-only list + detail endpoints of the other tools: paging and `filters[updated_at]`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore.api_errors import not_found
from emulators.procore.documents_routes import SORT_KEYS, in_range, sort_items, time_range
from emulators.procore.model import ToolItem
from emulators.procore.paging import paged
from emulators.procore.rest_context import RestContext, int_param, rest_context
from emulators.procore.tool_items import item_json


def _items(ctx: RestContext, tool: str) -> list[ToolItem]:
    assert ctx.project is not None
    return [
        i for i in ctx.emu.world.tool_items.get(tool, {}).values() if i.project_id == ctx.project.id
    ]


def list_endpoint(tool: str, filters: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        ctx = rest_context(request, project="required")
        updated = time_range(request, "updated_at")
        wanted = {name: int_param(request, name) for name in filters}
        if "area_id" in request.path_params:
            wanted["drawing_area_id"] = request.path_params["area_id"]
        items = [
            i
            for i in _items(ctx, tool)
            if (updated is None or in_range(i.updated_at, updated))
            and all(v is None or i.fields.get(k) == v for k, v in wanted.items())
        ]
        ordered = sort_items(request, items, SORT_KEYS)
        return paged(
            request, ctx.emu.options, ordered, lambda i: item_json(ctx.emu, i, listed=True)
        )

    return endpoint


def _one(request: Request, tool: str) -> tuple[RestContext, ToolItem]:
    ctx = rest_context(request, project="required")
    item = ctx.emu.world.tool_items.get(tool, {}).get(request.path_params["item_id"])
    if item is None or ctx.project is None or item.project_id != ctx.project.id:
        raise not_found()
    return ctx, item


def detail_endpoint(tool: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        ctx, item = _one(request, tool)
        return JSONResponse(item_json(ctx.emu, item))

    return endpoint


async def rfi_replies(request: Request) -> Response:
    ctx, item = _one(request, "rfis")
    return paged(request, ctx.emu.options, list(item.fields.get("replies", [])))


P = "/rest/v1.0/projects/{project_id:int}"

routes = [
    Route(f"{P}/rfis", list_endpoint("rfis"), methods=["GET"]),
    Route(f"{P}/rfis/{{item_id:int}}", detail_endpoint("rfis"), methods=["GET"]),
    Route(f"{P}/rfis/{{item_id:int}}/replies", rfi_replies, methods=["GET"]),
    Route(
        "/rest/v1.1/projects/{project_id:int}/submittals",
        list_endpoint("submittals"),
        methods=["GET"],
    ),
    Route(f"{P}/submittals", list_endpoint("submittals"), methods=["GET"]),
    Route(
        "/rest/v1.1/projects/{project_id:int}/submittals/{item_id:int}",
        detail_endpoint("submittals"),
        methods=["GET"],
    ),
    Route(f"{P}/submittals/{{item_id:int}}", detail_endpoint("submittals"), methods=["GET"]),
    Route(f"{P}/drawing_areas", list_endpoint("drawing_areas"), methods=["GET"]),
    Route(f"{P}/drawing_sets", list_endpoint("drawing_sets"), methods=["GET"]),
    Route(
        f"{P}/drawing_revisions",
        list_endpoint("drawing_revisions", ("drawing_area_id", "drawing_set_id")),
        methods=["GET"],
    ),
    Route(
        f"{P}/drawing_revisions/{{item_id:int}}",
        detail_endpoint("drawing_revisions"),
        methods=["GET"],
    ),
    Route(
        "/rest/v1.1/drawing_areas/{area_id:int}/drawings",
        list_endpoint("drawings"),
        methods=["GET"],
    ),
    Route(f"{P}/forms", list_endpoint("forms"), methods=["GET"]),
    Route(f"{P}/forms/{{item_id:int}}", detail_endpoint("forms"), methods=["GET"]),
    Route("/rest/v1.0/observations/items", list_endpoint("observations"), methods=["GET"]),
    Route(
        "/rest/v1.0/observations/items/{item_id:int}",
        detail_endpoint("observations"),
        methods=["GET"],
    ),
    Route(f"{P}/checklist/lists", list_endpoint("inspections"), methods=["GET"]),
    Route(f"{P}/checklist/lists/{{item_id:int}}", detail_endpoint("inspections"), methods=["GET"]),
    Route(f"{P}/incidents", list_endpoint("incidents"), methods=["GET"]),
    Route(f"{P}/incidents/{{item_id:int}}", detail_endpoint("incidents"), methods=["GET"]),
    Route(f"{P}/commitments", list_endpoint("commitments"), methods=["GET"]),
    Route(f"{P}/commitments/{{item_id:int}}", detail_endpoint("commitments"), methods=["GET"]),
]
