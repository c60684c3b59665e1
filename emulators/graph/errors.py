"""Graph's error envelope (API-NOTES B2 "Errors"): every failure answers with it, never a
traceback."""

from __future__ import annotations

import datetime as dt
from typing import Any


class GraphError(Exception):
    """A Graph error response: HTTP status, top-level code, message, optional inner code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        inner_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.inner_code = inner_code
        self.headers = headers or {}

    def body(self, request_id: str, client_request_id: str) -> dict[str, Any]:
        inner: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": request_id,
            "client-request-id": client_request_id,
        }
        if self.inner_code:
            inner["code"] = self.inner_code
        return {"error": {"code": self.code, "message": self.message, "innerError": inner}}


def not_found(what: str = "The resource could not be found.") -> GraphError:
    return GraphError(404, "itemNotFound", what)


def invalid_request(message: str, inner_code: str | None = None) -> GraphError:
    return GraphError(400, "invalidRequest", message, inner_code)


def bad_name(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message, "nameContainsInvalidCharacters")


def name_exists(name: str) -> GraphError:
    return GraphError(409, "nameAlreadyExists", f"The specified item name already exists: {name}")


def precondition_failed() -> GraphError:
    return GraphError(
        412,
        "resourceModified",
        "ETag does not match current item's value",
        "entityTagDoesNotMatch",
    )


def locked() -> GraphError:
    return GraphError(423, "resourceLocked", "The resource you are attempting to access is locked")
