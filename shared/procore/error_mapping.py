"""Turn a failed Procore response into the shared exception hierarchy, with the service's message.

API-NOTES A2: error bodies are not uniform: `{"message": ..}`, `{"error": ".."}`,
`{"errors": {"base": [..]}}`, `{"code", "message", "reason"}` and plain text (the 429 body) occur.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from shared.errors import (
    ApiError,
    AuthError,
    Conflict,
    InvalidRequest,
    Locked,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    Throttled,
    TransientError,
)

SERVICE = "procore"
_MAX_MESSAGE = 500

_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    406: InvalidRequest,
    408: InvalidRequest,
    409: Conflict,
    410: NotFound,
    412: PreconditionFailed,
    413: InvalidRequest,
    422: InvalidRequest,
    423: Locked,
}


def _flatten(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        if isinstance(value.get("message"), str):
            return str(value["message"])
        return "; ".join(
            _flatten(v) if key == "base" else f"{key}: {_flatten(v)}" for key, v in value.items()
        )
    return str(value)


def describe(response: httpx.Response) -> tuple[str, str | None]:
    """The service's own message and error code from a response body."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:_MAX_MESSAGE] or response.reason_phrase, None)
    code: str | None = None
    if isinstance(body, dict):
        raw_code = body.get("error_type") or body.get("code") or body.get("reason")
        code = str(raw_code) if raw_code is not None else None
        for key in ("message", "error", "errors"):
            if body.get(key):
                return (_flatten(body[key])[:_MAX_MESSAGE], code)
    return (_flatten(body)[:_MAX_MESSAGE] or response.reason_phrase, code)


def error_for(response: httpx.Response, *, retry_at: datetime | None = None) -> ApiError:
    """The exception for a non-2xx response (429/503 need `retry_at`)."""
    status = response.status_code
    message, code = describe(response)
    text = f"Procore {response.request.method} {response.request.url.path} -> {status}: {message}"
    if status in (429, 503) and retry_at is not None:
        return Throttled(text, service=SERVICE, status=status, code=code, retry_at=retry_at)
    if status >= 500:
        return TransientError(text, service=SERVICE, status=status, code=code)
    cls = _BY_STATUS.get(status, InvalidRequest if status < 500 else TransientError)
    return cls(text, service=SERVICE, status=status, code=code)
