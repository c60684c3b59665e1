"""The Entra ID side: what msal fetches for app-only client credentials (API-NOTES B1).

msal (1.39, instance_discovery=False) GETs `<authority>/v2.0/.well-known/openid-configuration`
and POSTs the form to its `token_endpoint`. Credentials are a client secret or a
`client_assertion` JWT signed with the app's certificate key (RS256 or PS256, with an `x5t` or
`x5t#S256` header); errors carry the AADSTS codes msal surfaces.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

import jwt
from cryptography import x509
from starlette.requests import Request
from starlette.responses import JSONResponse

from .errors import GraphError
from .model import App, now
from .store import GraphStore, IssuedToken

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def aad_error(status: int, error: str, code: int, description: str) -> JSONResponse:
    trace = str(uuid.uuid4())
    return JSONResponse(
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {trace}",
            "error_codes": [code],
            "timestamp": now().strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
        },
        status_code=status,
    )


def openid_configuration(store: GraphStore, request: Request) -> JSONResponse:
    tenant = request.path_params["tenant"].lower()
    if tenant not in store.tenants:
        return aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "issuer": f"{base}/{tenant}/v2.0",
            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
            "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "EU",
        }
    )


def _assertion_valid(app: App, assertion: str, token_endpoint: str) -> str | None:
    """None if the assertion is signed by one of the app's certificates and its claims hold."""
    if not app.certificates_pem:
        return "The application has no certificate registered."
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as exc:
        return f"The client assertion is malformed: {exc}"
    if header.get("alg") not in ("RS256", "PS256"):
        return "The client assertion must be signed with RS256 or PS256."
    last = "No registered certificate matches the assertion's signature."
    for pem in app.certificates_pem:
        try:
            cert = x509.load_pem_x509_certificate(pem.encode())
            claims = jwt.decode(
                assertion,
                key=cert.public_key(),  # type: ignore[arg-type]
                algorithms=["RS256", "PS256"],
                audience=token_endpoint,
                options={"require": ["exp", "aud", "iss", "sub"]},
                leeway=60,
            )
        except jwt.InvalidAudienceError:
            return "The client assertion's audience is not this token endpoint."
        except jwt.ExpiredSignatureError:
            return "The client assertion has expired."
        except (jwt.PyJWTError, ValueError) as exc:
            last = f"The client assertion could not be verified: {exc}"
            continue
        if claims.get("iss", "").lower() != app.client_id or claims.get("sub", "").lower() != (
            app.client_id
        ):
            return "The client assertion's iss and sub must be the client id."
        return None
    return last


async def token_endpoint(store: GraphStore, request: Request) -> JSONResponse:
    tenant = request.path_params["tenant"].lower()
    if tenant not in store.tenants:
        return aad_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    form = await request.form()
    fields: dict[str, str] = {k: str(v) for k, v in form.items()}
    if fields.get("grant_type") != "client_credentials":
        return aad_error(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
        )
    client_id = fields.get("client_id", "").lower()
    app = store.apps.get(client_id)
    if app is None or app.tenant_id != tenant:
        return aad_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
        )
    scope = fields.get("scope", "")
    if not any(s.endswith("/.default") for s in scope.split()):
        return aad_error(
            400,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a "
            "scope value with /.default suffixed to the resource identifier.",
        )
    if "client_assertion" in fields:
        if fields.get("client_assertion_type") != ASSERTION_TYPE:
            return aad_error(400, "invalid_request", 50027, "Invalid client_assertion_type.")
        endpoint = str(request.url.replace(query=""))
        problem = _assertion_valid(app, fields["client_assertion"], endpoint)
        if problem:
            return aad_error(401, "invalid_client", 700027, problem)
    elif "client_secret" in fields:
        if app.secret is None or not secrets.compare_digest(fields["client_secret"], app.secret):
            return aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                "the client secret value, not the client secret ID, for a secret added to app "
                f"'{client_id}'.",
            )
    else:
        return aad_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
        )
    lifetime = store.options.token_lifetime_s
    access_token = jwt.encode(
        {
            "aud": "https://graph.microsoft.com",
            "iss": f"https://sts.windows.net/{tenant}/",
            "tid": tenant,
            "appid": app.client_id,
            "roles": ["Sites.ReadWrite.All", "Mail.Send"],
            "exp": int((now() + dt.timedelta(seconds=lifetime)).timestamp()),
            "jti": secrets.token_hex(8),
        },
        secrets.token_bytes(32),
        algorithm="HS256",
    )
    store.tokens[access_token] = IssuedToken(app, now() + dt.timedelta(seconds=lifetime))
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def authenticate(store: GraphStore, authorization: str | None) -> App:
    """The app behind a bearer token, or 401 InvalidAuthenticationToken."""
    if not authorization:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    issued = store.tokens.get(token.strip())
    if issued is None:
        raise GraphError(
            401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed or is unknown."
        )
    if issued.expires_at <= now():
        raise GraphError(
            401,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
        )
    return issued.app
