"""Serves the HTTP triggers: routes under the route prefix, methods, auth levels, responses.

Auth levels as in the Functions host: `anonymous` is open; `function` takes the function key or
the master key, in `?code=` or the `x-functions-key` header; `admin` takes only the master key.
A refused call gets 401 and a body that names no key. An unknown route is 404, a known route
with another method 405, and a function's exception a 500 with a generic body (the traceback
goes to devhost's log, never to the caller).

`GET /admin/host/status` answers like the real host's status endpoint (state and functions); it
is devhost's readiness probe and is left open, as it reveals nothing but function names.
`POST /admin/functions/{name}` runs a timer function now, as the real host's "run a non
HTTP-triggered function" call does (master key; 202, or 404 for no such timer).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

import azure.functions as func
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from devhost.catalog import ALL_METHODS, Catalog, HttpFunction
from devhost.invoker import Invoker

log = logging.getLogger("devhost.http")

KEY_HEADER = "x-functions-key"
NO_FUNCTION_KEY = (
    "Unauthorized: no function key is configured. Set ADMIN_FUNCTION_KEY in the environment "
    "(or local.settings.json) or start devhost with --function-key."
)
NO_MASTER_KEY = (
    "Unauthorized: no master key is configured. Set DEVHOST_MASTER_KEY or start devhost with "
    "--master-key."
)


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(
        str(given).encode(), str(expected).encode()
    )


class HttpFront:
    def __init__(
        self,
        catalog: Catalog,
        invoker: Invoker,
        route_prefix: str,
        function_key: str | None,
        master_key: str | None,
        status: Callable[[], dict[str, Any]],
        run_timer: Callable[[str], bool] | None = None,
    ) -> None:
        self._functions = catalog.http
        self._invoker = invoker
        self._prefix = route_prefix.strip("/")
        self._function_key = function_key or None
        self._master_key = master_key or None
        self._status = status
        self._run_timer = run_timer
        self.app = Starlette(
            routes=[
                Route("/admin/host/status", self._host_status, methods=["GET"]),
                Route("/admin/functions/{name}", self._run_function, methods=["POST"]),
                Route("/{path:path}", self._dispatch, methods=list(ALL_METHODS)),
            ]
        )

    async def _host_status(self, request: Request) -> Response:
        return JSONResponse(self._status())

    async def _run_function(self, request: Request) -> Response:
        if self._master_key is None:
            return PlainTextResponse(NO_MASTER_KEY, status_code=401)
        given = request.headers.get(KEY_HEADER) or request.query_params.get("code")
        if not _same(given, self._master_key):
            return Response(status_code=401)
        name = request.path_params["name"]
        if self._run_timer is None or not self._run_timer(name):
            return Response(status_code=404)
        log.info("timer run on request", extra={"function": name, "trigger": "timer"})
        return Response(status_code=202)

    def _route_path(self, path: str) -> str | None:
        """The path after the route prefix, or None when the prefix does not match."""
        path = path.strip("/")
        if not self._prefix:
            return path
        prefix = self._prefix.lower()
        lowered = path.lower()
        if lowered == prefix:
            return ""
        if lowered.startswith(prefix + "/"):
            return path[len(prefix) + 1 :]
        return None

    def _refusal(self, entry: HttpFunction, request: Request) -> Response | None:
        if entry.auth_level == "anonymous":
            return None
        given = request.headers.get(KEY_HEADER) or request.query_params.get("code")
        if _same(given, self._master_key):
            return None
        if entry.auth_level == "function":
            if self._function_key is None:
                return PlainTextResponse(NO_FUNCTION_KEY, status_code=401)
            if _same(given, self._function_key):
                return None
        elif self._master_key is None:
            return PlainTextResponse(NO_MASTER_KEY, status_code=401)
        return Response(status_code=401)

    async def _dispatch(self, request: Request) -> Response:
        route_path = self._route_path(request.url.path)
        if route_path is None:
            return Response(status_code=404)
        matched: list[tuple[HttpFunction, dict[str, str]]] = []
        for entry in self._functions:
            params = entry.route.match(route_path)
            if params is not None:
                matched.append((entry, params))
        if not matched:
            return Response(status_code=404)
        method = request.method.upper()
        for entry, params in matched:
            if method in entry.methods:
                return await self._invoke(entry, params, request)
        allowed = sorted({m for entry, _ in matched for m in entry.methods})
        return Response(status_code=405, headers={"Allow": ", ".join(allowed)})

    async def _invoke(
        self, entry: HttpFunction, route_params: dict[str, str], request: Request
    ) -> Response:
        refused = self._refusal(entry, request)
        if refused is not None:
            log.info(
                "request refused",
                extra={"function": entry.name, "trigger": "http", "status": 401},
            )
            return refused
        body = await request.body()
        http_request = func.HttpRequest(
            method=request.method.upper(),
            url=str(request.url),
            headers=dict(request.headers),
            params=dict(request.query_params),
            route_params=route_params,
            body=body,
        )
        facts = {"trigger": "http", "method": request.method, "body_bytes": len(body)}
        try:
            result = await self._invoker.call_async(entry, http_request, **facts)
        except Exception:  # logged with its traceback by the invoker
            return PlainTextResponse("Internal Server Error", status_code=500)
        try:
            return to_response(result)
        except TypeError:
            log.exception("bad HTTP function result", extra={"function": entry.name})
            return PlainTextResponse("Internal Server Error", status_code=500)


def to_response(result: Any) -> Response:
    """The function's return value as the worker's HTTP output converter renders it."""
    if isinstance(result, func.HttpResponse):
        headers = list(result.headers.items())
        if not any(name.lower() == "content-type" for name, _ in headers):
            content_type = result.mimetype
            if content_type.startswith("text/"):
                content_type += f"; charset={result.charset}"
            headers.append(("content-type", content_type))
        body = result.get_body()
        response = Response(content=body, status_code=int(result.status_code))
        response.raw_headers = [
            (name.lower().encode("latin-1"), str(value).encode("latin-1"))
            for name, value in headers
            if name.lower() != "content-length"
        ] + [(b"content-length", str(len(body)).encode())]
        return response
    if isinstance(result, str):
        return PlainTextResponse(result)
    raise TypeError(f"an HTTP function returned {type(result).__name__}, not HttpResponse or str")
