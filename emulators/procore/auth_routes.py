"""The auth host (API-NOTES A1): client-credentials tokens, token info, revoke."""

from __future__ import annotations

import json
import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore.model import SERVICE_USER_ID, Token
from emulators.procore.rest_context import bearer_token, emulator_of


async def _form_or_json(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(await request.body() or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    try:
        form = await request.form()
    except Exception:
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def token(request: Request) -> Response:
    emu = emulator_of(request)
    params = await _form_or_json(request)
    if params.get("grant_type") != "client_credentials":
        return JSONResponse(
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported.",
            },
            status_code=400,
        )
    client = emu.world.clients.get(params.get("client_id", ""))
    if client is None or not secrets.compare_digest(
        client.client_secret, params.get("client_secret", "")
    ):
        return JSONResponse(
            {
                "error": "invalid_client",
                "error_description": "Client authentication failed due to unknown client, "
                "no client authentication included, or unsupported authentication method.",
            },
            status_code=401,
        )
    now = time.time()
    lifetime = emu.options.token_lifetime_s
    value = secrets.token_urlsafe(32)
    emu.world.tokens[value] = Token(client.client_id, now, now + lifetime)
    return JSONResponse(
        {
            "access_token": value,
            "token_type": "bearer",
            "expires_in": lifetime,
            "created_at": int(now),
        },
        headers={"Cache-Control": "no-store"},
    )


async def token_info(request: Request) -> Response:
    current = bearer_token(request)
    return JSONResponse(
        {
            "resource_owner_id": SERVICE_USER_ID,
            "scope": [],
            "expires_in_seconds": max(0, int(current.expires_at - time.time())),
            "application": {"uid": current.client_id},
            "created_at": int(current.created_at),
        }
    )


async def revoke(request: Request) -> Response:
    """Always 200, even for an unknown token (documented)."""
    emu = emulator_of(request)
    params = await _form_or_json(request)
    found = emu.world.tokens.get(params.get("token", ""))
    if found is not None:
        found.revoked = True
    return JSONResponse({})


routes = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/token/info", token_info, methods=["GET"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
]
