"""App-only Graph tokens through msal (API-NOTES B1).

msal's `ConfidentialClientApplication` keeps tokens in its in-memory cache and
`acquire_token_for_client` answers from it until shortly before expiry, so one `GraphAuth` per
process asks the identity host only about once an hour.

msal talks only to the configured authority: instance discovery (a call to
login.microsoftonline.com) is switched off unless the authority host is a Microsoft cloud host,
where msal needs no discovery call anyway. Only https authorities are accepted by msal; a local
stand-in serves TLS with its own certificate, trusted through GRAPH_CA_BUNDLE.
"""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shared.config import Settings
from shared.errors import AuthError, TransientError

log = logging.getLogger(__name__)

SERVICE = "graph"

MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.microsoftonline.us",
        "login.usgovcloudapi.net",
        "login.partner.microsoftonline.cn",
        "login.chinacloudapi.cn",
    }
)

_CERT_BEGIN = "-----BEGIN CERTIFICATE-----"
_CERT_END = "-----END CERTIFICATE-----"


def authority_url(settings: Settings) -> str:
    """`<GRAPH_AUTHORITY_HOST>/<GRAPH_TENANT_ID>`."""
    return f"{str(settings.graph_authority_host).rstrip('/')}/{settings.graph_tenant_id}"


def is_microsoft_authority(settings: Settings) -> bool:
    host = urlsplit(str(settings.graph_authority_host)).hostname or ""
    return host.lower() in MICROSOFT_AUTHORITY_HOSTS


def client_credential(settings: Settings) -> str | dict[str, str]:
    """The msal credential: the certificate (PEM key + thumbprint) if set, else the secret."""
    if settings.graph_client_cert_path and settings.graph_client_cert_thumbprint:
        path = Path(settings.graph_client_cert_path)
        try:
            pem = path.read_text()
        except OSError as exc:
            raise AuthError(
                f"GRAPH_CLIENT_CERT_PATH {path} cannot be read: {exc.strerror}", service=SERVICE
            ) from None
        credential = {"private_key": pem, "thumbprint": settings.graph_client_cert_thumbprint}
        if _CERT_BEGIN in pem and _CERT_END in pem:
            start = pem.index(_CERT_BEGIN)
            credential["public_certificate"] = pem[start : pem.index(_CERT_END) + len(_CERT_END)]
        return credential
    if settings.graph_client_secret is not None:
        return settings.graph_client_secret.get_secret_value()
    raise AuthError("no Graph credential configured", service=SERVICE)


def _identity_session(settings: Settings) -> Any:
    """The requests session msal uses: GRAPH_CA_BUNDLE and the timeout on every request.

    Passed per request because requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the
    environment override a session-wide `verify`.
    """
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = settings.graph_user_agent
    defaults: dict[str, Any] = {"timeout": settings.graph_timeout_s}
    if settings.graph_ca_bundle:
        defaults["verify"] = settings.graph_ca_bundle
    session.request = functools.partial(session.request, **defaults)  # type: ignore[method-assign]
    return session


class GraphAuth:
    """Bearer tokens for Graph, cached by msal; refused credentials raise `AuthError`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app: Any = None
        self._lock = threading.Lock()

    def _application(self) -> Any:
        import msal
        import requests

        if self._app is not None:
            return self._app
        settings = self._settings
        try:
            self._app = msal.ConfidentialClientApplication(
                settings.graph_client_id,
                client_credential=client_credential(settings),
                authority=authority_url(settings),
                instance_discovery=None if is_microsoft_authority(settings) else False,
                http_client=_identity_session(settings),
            )
        except requests.RequestException as exc:
            raise TransientError(
                f"identity host unreachable: {type(exc).__name__}", service=SERVICE
            ) from None
        except OSError as exc:  # e.g. GRAPH_CA_BUNDLE names no readable file
            raise AuthError(f"identity host not usable: {exc}", service=SERVICE) from None
        except ValueError as exc:
            raise AuthError(f"authority refused: {exc}", service=SERVICE) from None
        return self._app

    def forget_tokens(self) -> None:
        """Drop cached access tokens (Graph refused one before its expiry, e.g. revoked)."""
        with self._lock:
            if self._app is None:
                return
            cache = self._app.token_cache
            for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(entry)

    def token(self) -> str:
        """A valid access token (from msal's cache when it still has one)."""
        import requests

        with self._lock:
            app = self._application()
            try:
                result = app.acquire_token_for_client(scopes=[self._settings.graph_scope])
            except requests.RequestException as exc:
                raise TransientError(
                    f"identity host unreachable: {type(exc).__name__}", service=SERVICE
                ) from None
        if not isinstance(result, dict):
            raise AuthError("msal returned no token", service=SERVICE)
        token = result.get("access_token")
        if isinstance(token, str) and token:
            log.debug("graph token ready", extra={"token_source": result.get("token_source")})
            return token
        error = result.get("error")
        description = result.get("error_description")
        raise AuthError(
            f"token refused: {error or 'unknown error'}: {description or 'no description'}",
            service=SERVICE,
            code=str(error) if error else None,
        )
