"""`/me`, companies and projects (DMSA: only permitted projects are listed)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore.api_errors import not_found
from emulators.procore.model import SERVICE_USER_ID, USERS, Project
from emulators.procore.paging import paged
from emulators.procore.rest_context import int_param, rest_context
from emulators.procore.timefmt import iso


def project_json(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "display_name": project.name,
        "company": {"id": project.company_id},
        "active": True,
        "created_at": iso(project.created_at),
        "updated_at": iso(project.updated_at),
    }


async def me(request: Request) -> Response:
    rest_context(request)
    return JSONResponse(USERS[SERVICE_USER_ID])


async def companies(request: Request) -> Response:
    ctx = rest_context(request)
    items = [
        {"id": c.id, "name": c.name, "is_active": True} for c in ctx.emu.world.companies.values()
    ]
    return paged(request, ctx.emu.options, items)


async def projects(request: Request) -> Response:
    ctx = rest_context(request)
    company_id = int_param(request, "company_id") or ctx.company.id
    items = [
        p for p in ctx.emu.world.projects.values() if p.company_id == company_id and p.permitted
    ]
    return paged(request, ctx.emu.options, items, project_json)


async def project(request: Request) -> Response:
    ctx = rest_context(request, project="required")
    if ctx.project is None:
        raise not_found()
    return JSONResponse(project_json(ctx.project))


routes = [
    Route("/rest/v1.0/me", me, methods=["GET"]),
    Route("/rest/v1.0/companies", companies, methods=["GET"]),
    Route("/rest/v1.0/projects", projects, methods=["GET"]),
    Route("/rest/v1.0/projects/{project_id:int}", project, methods=["GET"]),
]
