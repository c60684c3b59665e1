"""Procore-style error answers (API-NOTES A2: bodies carry `errors` or `error`)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """Raised anywhere in a handler; answered as `status` with a JSON `body`."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, {"error": "Not Found"})


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"errors": message})


def field_error(status: int, field: str, message: str) -> ApiError:
    return ApiError(status, {"errors": {field: [message]}})


def from_validation(exc: ValidationError, status: int = 400) -> ApiError:
    errors: dict[str, list[str]] = {}
    for item in exc.errors():
        name = ".".join(str(p) for p in item["loc"]) or "base"
        errors.setdefault(name, []).append(item["msg"])
    return ApiError(status, {"errors": errors})


async def api_error_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def read_json(request: Request) -> Any:
    """The request body as JSON; a clear 400 when it is not."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("Malformed JSON body") from None


def s3_error(status: int, code: str, message: str) -> Response:
    """An S3-style XML error, as the presigned storage URLs answer."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>EMULATOR</RequestId><HostId>emulator</HostId></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")
