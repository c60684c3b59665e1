"""The emulator's HTTP app: identity, Graph v1.0, upload and download URLs, control API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from . import identity
from .api import GraphApi
from .batch import run_batch
from .blobs import BlobStore
from .control import control_routes
from .errors import GraphError
from .faults import FaultBoard, FaultInjector
from .graph_request import GraphRequest, GraphResponse
from .model import now
from .options import Options
from .seed import seed_demo
from .store import GraphStore
from .subscriptions import Notifier
from .throttle import ResourceUnitMeter
from .uploads import UploadSessions

log = logging.getLogger("graph_emulator")

MAX_JSON_BODY = 16 * 1024 * 1024


def ids(request: Request) -> tuple[str, str]:
    request_id = str(uuid.uuid4())
    return request_id, request.headers.get("client-request-id", request_id)


def error_response(error: GraphError, request: Request) -> JSONResponse:
    request_id, client_id = ids(request)
    return JSONResponse(
        error.body(request_id, client_id),
        status_code=error.status,
        headers={**error.headers, "request-id": request_id, "client-request-id": client_id},
    )


def to_response(result: GraphResponse, request: Request) -> Response:
    request_id, client_id = ids(request)
    headers = {**result.headers, "request-id": request_id, "client-request-id": client_id}
    if result.json is None:
        return Response(status_code=result.status, headers=headers)
    return JSONResponse(result.json, status_code=result.status, headers=headers)


class Emulator:
    """Everything one emulator process holds."""

    def __init__(self, options: Options, seed: str = "demo") -> None:
        self.options = options
        self.initial_options = options.model_copy()
        self.blobs = BlobStore()
        self.store = GraphStore(options, self.blobs)
        self.meter = ResourceUnitMeter(options)
        self.notifier = Notifier(self.store)
        self.store.listeners.append(self.notifier.on_change)
        self.uploads = UploadSessions(self.store)
        self.api = GraphApi(self.store, self.meter, self.notifier, self.uploads)
        self.faults = FaultBoard()
        self.reset(seed)

    def reset(self, seed: str) -> None:
        for name in Options.model_fields:
            setattr(self.options, name, getattr(self.initial_options, name))
        self.uploads.clear()
        self.store.clear()
        self.notifier.clear()
        self.meter.reset()
        self.faults.clear()
        if seed == "demo":
            seed_demo(self.store)

    # ---- Graph v1.0 ---------------------------------------------------------------------

    async def graph(self, request: Request) -> Response:
        app_id: str | None = None
        try:
            app = identity.authenticate(self.store, request.headers.get("authorization"))
            app_id = app.client_id
            raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
            path = raw_path.split("?", 1)[0]
            path = path[len("/v1.0/") :] if path.startswith("/v1.0/") else ""
            is_content_put = request.method == "PUT" and path.rstrip("/").endswith("content")
            body = b"" if is_content_put else await self.read_json_body(request)
            graph_request = GraphRequest(
                method=request.method,
                path=path,
                query=dict(parse_qsl(request.url.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                base_url=str(request.base_url).rstrip("/"),
                app=app,
                stream=request.stream() if is_content_put else None,
            )
            if path == "$batch":
                if request.method != "POST":
                    raise GraphError(405, "BadRequest", "$batch takes POST.")
                result = await run_batch(graph_request, self.api.handle)
            else:
                result = await self.api.handle(graph_request)
            response = to_response(result, request)
        except GraphError as error:
            response = error_response(error, request)
        except Exception:
            log.exception("unexpected error in a Graph request")
            response = error_response(
                GraphError(500, "generalException", "An unexpected error occurred."), request
            )
        self.meter.count(app_id, response.status_code)
        return response

    @staticmethod
    async def read_json_body(request: Request) -> bytes:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_JSON_BODY:
                raise GraphError(413, "invalidRequest", "The request body is too large.")
        return body

    # ---- upload and download URLs -------------------------------------------------------

    async def upload_url(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        try:
            if "authorization" in request.headers:
                raise GraphError(
                    401,
                    "unauthenticated",
                    "The upload URL is pre-authenticated; do not send an Authorization header.",
                )
            if request.method == "DELETE":
                self.uploads.get(session_id)
                self.uploads.cancel(session_id)
                return Response(status_code=204)
            if request.method == "GET":
                return JSONResponse(self.uploads.get(session_id).status())
            base = str(request.base_url).rstrip("/")
            if request.method == "POST":  # deferCommit: the final empty POST commits
                session = self.uploads.get(session_id)
                if session.total is None or session.received != session.total:
                    raise GraphError(
                        400,
                        "invalidRequest",
                        "The upload is incomplete.",
                        "uploadSessionIncomplete",
                    )
                return to_response(self.api.commit_upload(session_id, base), request)
            session, complete = await self.uploads.put_fragment(
                session_id,
                request.headers.get("content-range"),
                request.headers.get("content-length"),
                request.stream(),
            )
            if complete and not session.defer_commit:
                try:
                    return to_response(self.api.commit_upload(session_id, base), request)
                except GraphError as error:
                    if error.status != 409:
                        self.uploads.cancel(session_id)
                    raise
            status = 202
            return JSONResponse(session.status(), status_code=status)
        except GraphError as error:
            return error_response(error, request)

    async def download_url(self, request: Request) -> Response:
        grant = self.store.downloads.get(request.path_params["token"])
        if grant is None or grant.expires_at <= now():
            return error_response(
                GraphError(401, "unauthenticated", "The download URL is invalid or has expired."),
                request,
            )
        return FileResponse(
            grant.blob.path,
            media_type="application/octet-stream",
            filename=grant.name,
            content_disposition_type="attachment",
        )

    # ---- identity -----------------------------------------------------------------------

    async def openid(self, request: Request) -> Response:
        return identity.openid_configuration(self.store, request)

    async def token(self, request: Request) -> Response:
        return await identity.token_endpoint(self.store, request)

    # ---- assembly -----------------------------------------------------------------------

    def asgi(self) -> ASGIApp:
        @contextlib.asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            task = asyncio.get_running_loop().create_task(self.notifier.run())
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await self.notifier.stop()
                self.blobs.remove()

        async def not_found(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            code = {404: "itemNotFound", 405: "BadRequest"}.get(status, "generalException")
            return error_response(
                GraphError(status, code, f"No route for {request.url.path}"), request
            )

        async def control_error(request: Request, exc: Exception) -> Response:
            """A control route's GraphError answers as Graph would, not as a 500."""
            assert isinstance(exc, GraphError)
            return error_response(exc, request)

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        routes: list[Any] = [
            *control_routes(self),
            Route("/{tenant}/v2.0/.well-known/openid-configuration", self.openid),
            Route("/{tenant}/oauth2/v2.0/token", self.token, methods=["POST"]),
            Route("/v1.0/{rest:path}", self.graph, methods=methods),
            Route(
                "/_upload/{session_id}", self.upload_url, methods=["GET", "PUT", "DELETE", "POST"]
            ),
            Route("/_download/{token}", self.download_url, methods=["GET", "HEAD"]),
        ]
        starlette = Starlette(
            routes=routes,
            lifespan=lifespan,
            exception_handlers={
                GraphError: control_error,
                HTTPException: not_found,
                Exception: not_found,
            },
        )
        return FaultInjector(starlette, self.faults)


def dumps(data: Any) -> str:
    return json.dumps(data)
