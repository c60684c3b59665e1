"""Checks every `/rest` call passes (API-NOTES A1): a live bearer token, the
`Procore-Company-Id` header, and DMSA permitted projects."""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request

from emulators.procore.api_errors import ApiError, bad_request, not_found
from emulators.procore.emulator import Emulator
from emulators.procore.model import Company, Project, Scope, Token


def emulator_of(request: Request) -> Emulator:
    emu: Emulator = request.app.state.emulator
    return emu


def unauthorized(message: str) -> ApiError:
    return ApiError(
        401,
        {
            "code": "invalid_token",
            "message": message,
            "fields": None,
            "reason": "unauthorized",
            "error": message,
        },
        {
            "WWW-Authenticate": 'Bearer realm="Procore", error="invalid_token", '
            f'error_description="{message}"'
        },
    )


def bearer_token(request: Request) -> Token:
    emu = emulator_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("The access token is missing")
    token = emu.world.tokens.get(value.strip())
    if token is None or token.revoked:
        raise unauthorized("The access token is invalid")
    if time.time() >= token.expires_at:
        raise unauthorized("The access token expired")
    return token


@dataclass(frozen=True)
class RestContext:
    emu: Emulator
    company: Company
    project: Project | None

    @property
    def scope(self) -> Scope:
        return Scope(self.company.id, self.project.id if self.project else None)


def _int(text: str | None, name: str) -> int | None:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise bad_request(f"{name} is invalid") from None


def rest_context(request: Request, project: str = "none") -> RestContext:
    """`project`: "none" (company call), "required" or "optional" (a `project_id` may be given)."""
    emu = emulator_of(request)
    bearer_token(request)
    header = request.headers.get("procore-company-id")
    if header is None or not header.strip():
        # [U] the status is not documented; the text is.
        raise bad_request("Missing Procore-Company-Id header!")
    company_id = _int(header.strip(), "Procore-Company-Id")
    company = emu.world.companies.get(company_id or 0)
    if company is None:
        raise ApiError(403, {"errors": "App is not connected to this company"})
    path_company = _int(request.path_params.get("company_id"), "company_id")
    if path_company is not None and path_company != company.id:
        raise ApiError(403, {"errors": "App is not connected to this company"})
    if project == "none":
        return RestContext(emu, company, None)
    raw = request.path_params.get("project_id") or request.query_params.get("project_id")
    project_id = _int(raw, "project_id")
    if project_id is None:
        if project == "optional":
            return RestContext(emu, company, None)
        raise bad_request("project_id is missing")
    found = emu.world.projects.get(project_id)
    if found is None or found.company_id != company.id:
        raise not_found()
    if not found.permitted:
        raise ApiError(403, {"errors": "You do not have access to this project"})
    return RestContext(emu, company, found)


def int_param(request: Request, name: str) -> int | None:
    return _int(request.query_params.get(name), name)


def flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")
