"""One httpx connection pool per client, with Graph's auth, retry and throttling rules.

- The bearer token goes only to the configured Graph API; never to upload-session URLs or to the
  pre-authenticated download URLs a 302 points at (API-NOTES B2: a token there may cause 401).
- 429/503 raise `Throttled(retry_at)` at once: handlers re-enqueue, they never sleep (B5).
- Dropped connections, timeouts and other 5xx are retried immediately a few times for idempotent
  requests only, then raise `TransientError`.
- Every request carries the decorated User-Agent (B5).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from shared.config import Settings
from shared.errors import ApiError, TransientError
from shared.graph.failures import SERVICE, error_for

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
TRANSIENT_RETRIES = 2
"""Immediate retries of an idempotent request after a 5xx (not 503) or a dropped connection."""


def _build_http(settings: Settings, transport: httpx.BaseTransport | None) -> httpx.Client:
    timeout = httpx.Timeout(settings.graph_timeout_s, connect=min(10.0, settings.graph_timeout_s))
    return httpx.Client(
        timeout=timeout,
        verify=(
            ssl.create_default_context(cafile=settings.graph_ca_bundle)
            if settings.graph_ca_bundle
            else True
        ),
        headers={"User-Agent": settings.graph_user_agent},
        follow_redirects=False,
        transport=transport,
    )


class GraphHttp:
    """Sends requests to Graph; maps failures onto `shared.errors`."""

    def __init__(
        self,
        settings: Settings,
        token: Callable[[], str],
        *,
        forget_tokens: Callable[[], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.api_url = str(settings.graph_api_url).rstrip("/")
        self._token = token
        self._forget_tokens = forget_tokens
        self.http = _build_http(settings, transport)

    def close(self) -> None:
        self.http.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL: links Graph returned are used verbatim, API paths are joined."""
        if path_or_url.startswith(("https://", "http://")):
            return path_or_url
        return f"{self.api_url}/{path_or_url.lstrip('/')}"

    def is_api_url(self, url: str) -> bool:
        """Whether `url` belongs to the configured Graph API (and so may carry the token)."""
        return url == self.api_url or url.startswith(self.api_url + "/")

    def _headers(self, url: str, headers: Mapping[str, str] | None, auth: bool) -> dict[str, str]:
        merged = dict(headers or {})
        if auth and self.is_api_url(url):
            merged["Authorization"] = f"Bearer {self._token()}"
        return merged

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | Iterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        ok: tuple[int, ...] = (200, 201, 202, 204),
        delta: bool = False,
        retries: int | None = None,
    ) -> httpx.Response:
        """Send one request (with immediate retries when idempotent); raise on a failed answer."""
        url = self.url(path_or_url)
        attempts = 1 + (retries if retries is not None else TRANSIENT_RETRIES) * (
            method.upper() in IDEMPOTENT_METHODS
        )
        last: ApiError | None = None
        token_refreshed = False
        attempt = 0
        while attempt < attempts:
            attempt += 1
            try:
                response = self.http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    content=content,
                    headers=self._headers(url, headers, auth),
                )
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                last = TransientError(
                    f"{method} {httpx.URL(url).path}: {type(exc).__name__}", service=SERVICE
                )
                log.info("graph request failed", extra={"method": method, "error": str(last)})
                continue
            if response.status_code in ok:
                return response
            if (
                response.status_code == 401
                and "Authorization" in response.request.headers
                and self._forget_tokens is not None
                and not token_refreshed
            ):
                # A token msal still holds as valid was refused (revoked or expired early):
                # fetch a fresh one once.
                token_refreshed = True
                attempts += 1
                self._forget_tokens()
                continue
            error = error_for(response, delta=delta)
            if isinstance(error, TransientError):
                last = error
                log.info("graph server error", extra={"method": method, "status": error.status})
                continue
            raise error
        assert last is not None
        raise last

    @contextmanager
    def stream(
        self, method: str, url: str, *, auth: bool, headers: Mapping[str, str] | None = None
    ) -> Iterator[httpx.Response]:
        """A streamed response (status not yet checked), for downloads."""
        try:
            with self.http.stream(
                method, url, headers=self._headers(url, headers, auth)
            ) as response:
                yield response
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise TransientError(
                f"{method} {httpx.URL(url).path}: {type(exc).__name__}", service=SERVICE
            ) from None

    def get_json(self, path_or_url: str, **kwargs: Any) -> Any:
        return self.send("GET", path_or_url, **kwargs).json()

    def pages(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every page of a collection, following `@odata.nextLink` verbatim (B5)."""
        body = self.get_json(path_or_url, params=params)
        while True:
            yield body
            next_link = body.get("@odata.nextLink") if isinstance(body, dict) else None
            if not next_link:
                return
            body = self.get_json(next_link)
