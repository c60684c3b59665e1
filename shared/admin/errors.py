"""Why the admin API refuses a call: each refusal carries its HTTP status and its JSON body.

These are answers to the administrator, not failures of an API client (those are
`shared.errors`); the blueprint turns them into responses and nothing else.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class FieldProblem(BaseModel):
    """One field of a request that failed validation."""

    field: str
    message: str


class AdminRefusal(Exception):
    """A refused admin call: `status` and the JSON `body` to answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": self.message}


class InvalidInput(AdminRefusal):
    """The body is not JSON, or fails validation: every field problem is listed (400)."""

    status = 400

    def __init__(self, fields: list[FieldProblem]) -> None:
        super().__init__("invalid request")
        self.fields = fields

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "fields": [f.model_dump() for f in self.fields]}


class UnknownProject(AdminRefusal):
    """No project has this key (404)."""

    status = 404

    def __init__(self, key: str) -> None:
        super().__init__(f"no project {key}")


class ProjectConflict(AdminRefusal):
    """The call contradicts the state: a duplicate, an overlap, a transition that makes no sense
    (409)."""

    status = 409


class AccessRefused(AdminRefusal):
    """A side refused access on connect; `checks` states every failed check per side (422)."""

    status = 422

    def __init__(self, checks: dict[str, str]) -> None:
        sides = ", ".join(sorted(checks))
        super().__init__(f"access check failed ({sides})")
        self.checks = checks

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "checks": self.checks}


class AccessUndecided(AccessRefused):
    """A side could not be checked right now (throttled, unreachable): try again later (503)."""

    status = 503

    def __init__(self, checks: dict[str, str]) -> None:
        super().__init__(checks)
        self.message = "access could not be checked now; try again later"


class StoreUnavailable(AdminRefusal):
    """The state store or the queues did not answer (503)."""

    status = 503
