"""Graph answers mapped onto the app's exception hierarchy (`shared.errors`).

Graph's error envelope is `{"error": {"code", "message", "innerError": {"code"?, ...}}}` and the
useful code is sometimes only in a nested innerError (API-NOTES B2 "Errors"); `error_codes` walks
them all so callers can branch on any. 429 and SharePoint's 503 are throttling: the retry time comes
from `Retry-After` (seconds or an HTTP date), else the preview `RateLimit-Reset` (B5).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
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

SERVICE = "graph"

DEFAULT_RETRY_AFTER_S = 10.0
"""Used when a throttled answer names no retry time (Graph normally sends Retry-After)."""


class DeltaResyncRequired(ApiError):
    """The delta token expired or was invalidated (410 Gone, B3).

    `resync_link` (from `Location`) restarts the enumeration; the caller must re-enumerate the
    whole drive and reconcile against its base before storing the new deltaLink.
    """

    def __init__(self, message: str, *, resync_link: str | None, code: str | None) -> None:
        super().__init__(message, service=SERVICE, status=410, code=code)
        self.resync_link = resync_link


def envelope_of(body: Any) -> dict[str, Any]:
    """The `error` object of a Graph error body, or {} when the body is not an envelope."""
    error = body.get("error") if isinstance(body, dict) else None
    return dict(error) if isinstance(error, dict) else {}


def error_codes(error: dict[str, Any]) -> list[str]:
    """The envelope's code followed by every nested innerError code, outermost first."""
    codes: list[str] = []
    node: Any = error
    while isinstance(node, dict):
        code = node.get("code")
        if isinstance(code, str) and code:
            codes.append(code)
        node = node.get("innerError") or node.get("innererror")
    return codes


def retry_at_from(headers: Mapping[str, str], now: datetime | None = None) -> datetime:
    """When a throttled request may be retried: Retry-After, else RateLimit-Reset, else soon."""
    now = now or datetime.now(UTC)
    for name in ("Retry-After", "RateLimit-Reset"):
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            return now + timedelta(seconds=max(0.0, float(value)))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(now, moment)
    return now + timedelta(seconds=DEFAULT_RETRY_AFTER_S)


def error_for(response: httpx.Response, *, delta: bool = False) -> ApiError:
    """The exception that a failed Graph answer stands for."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    what = f"{response.request.method} {_safe_target(response.request.url)}"
    return error_from(
        response.status_code,
        response.headers,
        body,
        what=what,
        reason=response.reason_phrase,
        delta=delta,
    )


def error_from(
    status: int,
    headers: Mapping[str, str],
    body: Any,
    *,
    what: str,
    reason: str = "",
    delta: bool = False,
) -> ApiError:
    """The exception for a failed answer given as parts (also used for `$batch` members)."""
    error = envelope_of(body)
    codes = error_codes(error)
    code = codes[0] if codes else None
    message = str(error.get("message") or reason or "Graph request failed")
    text = f"{what}: {status} {message}"
    if codes:
        text += f" ({'/'.join(codes)})"
    kwargs: dict[str, Any] = {"service": SERVICE, "status": status, "code": code}
    if status in (429, 503):
        return Throttled(text, retry_at=retry_at_from(httpx.Headers(headers)), **kwargs)
    if status == 410 and delta:
        location = httpx.Headers(headers).get("Location")
        return DeltaResyncRequired(text, resync_link=location, code=code)
    if status in (400, 416, 422):
        return InvalidRequest(text, **kwargs)
    if status == 401:
        return AuthError(text, **kwargs)
    if status == 403:
        return PermissionDenied(text, **kwargs)
    if status in (404, 410):
        return NotFound(text, **kwargs)
    if status == 409:
        return Conflict(text, **kwargs)
    if status == 412:
        return PreconditionFailed(text, **kwargs)
    if status == 423:
        return Locked(text, **kwargs)
    if status >= 500:
        return TransientError(text, **kwargs)
    return ApiError(text, **kwargs)


def _safe_target(url: httpx.URL) -> str:
    """The request path without its query (upload and download URLs carry credentials there)."""
    return url.path
