"""The exceptions the API clients raise, shared by the Procore and Graph clients.

Callers branch on these types, never on a raw status code (STYLE §2). Each carries the service,
the HTTP status and the service's own error code/message where there was one.
"""

from __future__ import annotations

from datetime import datetime


class ApiError(Exception):
    """A call to Procore or Microsoft Graph failed."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.service = service
        self.status = status
        self.code = code


class AuthError(ApiError):
    """Credentials were refused or a token could not be obtained (401/403 from auth)."""


class PermissionDenied(ApiError):
    """The app may not touch this resource (403), e.g. a project it is not permitted on."""


class NotFound(ApiError):
    """The resource does not exist or is not visible (404, or 410 for a gone item)."""


class Conflict(ApiError):
    """A name clash or another conflict with the current state (409)."""


class PreconditionFailed(ApiError):
    """An If-Match/version check failed: the resource changed since it was read (412)."""


class Locked(ApiError):
    """The resource is locked (423), e.g. a file open in Office or checked out."""


class InvalidRequest(ApiError):
    """The service refused the request as invalid (400/422), e.g. a name SharePoint rejects."""


class Throttled(ApiError):
    """The service asked us to slow down (429/503). Retry no earlier than `retry_at` (UTC).

    Handlers re-enqueue their message with a visibility delay until `retry_at`; they never sleep.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str,
        retry_at: datetime,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, service=service, status=status, code=code)
        self.retry_at = retry_at


class TransientError(ApiError):
    """A server error or dropped connection (5xx, timeouts) that is worth retrying later."""
