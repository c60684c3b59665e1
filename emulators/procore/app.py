"""The Starlette application: every route, error answers in Procore's shapes, the gate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from emulators.procore import (
    auth_routes,
    company_routes,
    control_routes,
    documents_routes,
    photo_routes,
    storage_routes,
    tool_routes,
    upload_routes,
    webhook_routes,
)
from emulators.procore.api_errors import ApiError, api_error_response
from emulators.procore.emulator import Emulator
from emulators.procore.gate import Gate
from emulators.procore.options import Options
from emulators.procore.seed import seed_demo


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return JSONResponse({"error": "Not Found"}, status_code=404)
    if exc.status_code == 405:
        return JSONResponse({"errors": "Method Not Allowed"}, status_code=405, headers=exc.headers)
    return JSONResponse({"errors": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def build_app(options: Options, seed: str = "demo") -> ASGIApp:
    emulator = Emulator(options)
    if seed == "demo":
        seed_demo(emulator)
    routes: list[Route] = [
        *control_routes.routes,
        *auth_routes.routes,
        *company_routes.routes,
        *documents_routes.routes,
        *upload_routes.routes,
        *storage_routes.routes,
        *photo_routes.routes,
        *tool_routes.routes,
        *webhook_routes.routes,
    ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await emulator.sender.close()

    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error_response, HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    gate = Gate(app, emulator, routes)
    return gate
