"""One authenticated, paced HTTP session to Procore: the only place that builds requests.

Honours: the bearer token and `Procore-Company-Id` on every `/rest` call (API-NOTES A1); the token
only ever sent to the configured API host, never on a redirect hop (A5); pacing and 429/503 as
`Throttled` (A4); bounded immediate retries for GETs on 5xx/timeouts/dropped connections; one token
renewal on a 401.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError

from shared.config import Settings
from shared.errors import ApiError, AuthError, TransientError
from shared.procore.auth import CachedToken, TokenResponse
from shared.procore.error_mapping import SERVICE, describe, error_for
from shared.procore.pacing import Pacer, retry_delay_s

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
DOWNLOAD_CHUNK_BYTES = 1024 * 1024
THROTTLE_DEFAULT_S = 60.0
"""Retry delay for a 429/503 that names no time at all."""

Params = Mapping[str, str | int | float | bool | None]
FilesFactory = Callable[[], Any]
BodyFactory = Callable[[], Iterator[bytes]]


def _clean(params: Params | None) -> dict[str, str] | None:
    if params is None:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def page_rows(body: Any) -> list[Any]:
    """The items of one list page: a bare array, or `{"data": [...]}` on newer endpoints."""
    if isinstance(body, dict):
        data = body.get("data", [])
        return data if isinstance(data, list) else []
    return body if isinstance(body, list) else []


class ProcoreSession:
    """The HTTP side of `ProcoreClient`: one connection pool, one token, one pacer."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_base = httpx.URL(str(settings.procore_api_url).rstrip("/") + "/")
        self.token_url = httpx.URL(str(settings.procore_auth_url).rstrip("/") + "/oauth/token")
        self._client_id = settings.procore_client_id
        self._client_secret = settings.procore_client_secret
        self._renew_before_s = settings.procore_token_renew_before_s
        self.get_retries = settings.procore_get_retries
        self.retry_pause_s = 0.2
        self._clock = clock
        self._sleep = sleep
        self.pacer = Pacer(
            reserve=settings.procore_rate_reserve,
            max_wait_s=settings.procore_pace_max_wait_s,
            clock=clock,
            sleep=sleep,
        )
        self._http = httpx.Client(
            timeout=settings.procore_timeout_s,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": settings.procore_user_agent},
        )
        self._token: CachedToken | None = None
        self._token_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def sleep(self, seconds: float) -> None:
        """The session's (injectable) sleep, for short in-call waits."""
        self._sleep(seconds)

    # --- hosts ----------------------------------------------------------------------------
    def is_api_host(self, url: httpx.URL) -> bool:
        """Only the configured API host may receive the bearer token (API-NOTES A5)."""
        base = self.api_base
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    def absolute(self, path_or_url: str) -> httpx.URL:
        if path_or_url.startswith(("http://", "https://")):
            return httpx.URL(path_or_url)
        return self.api_base.join(path_or_url.lstrip("/"))

    # --- token ----------------------------------------------------------------------------
    def access_token(self) -> str:
        """A valid token, fetched (client credentials) when none is cached or it nears expiry."""
        with self._token_lock:
            now = self._clock()
            if self._token is not None and self._token.usable(now):
                return self._token.value.get_secret_value()
            request = self._http.build_request(
                "POST",
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._client_secret.get_secret_value(),
                },
            )
            response = self._send(request)
            response.read()
            if response.status_code in (400, 401, 403):
                message, code = describe(response)
                raise AuthError(
                    f"Procore refused the client credentials: {message}",
                    service=SERVICE,
                    status=response.status_code,
                    code=code,
                )
            if not response.is_success:
                raise self._failure(response)
            try:
                token = TokenResponse.model_validate(response.json())
            except (ValueError, ValidationError):
                raise AuthError(
                    "Procore token endpoint answered without a usable access_token",
                    service=SERVICE,
                    status=response.status_code,
                ) from None
            self._token = CachedToken(token, obtained_at=now, renew_before_s=self._renew_before_s)
            log.info("procore token obtained", extra={"expires_in_s": token.expires_in})
            return token.access_token.get_secret_value()

    def forget_token(self) -> None:
        with self._token_lock:
            self._token = None

    # --- sending --------------------------------------------------------------------------
    def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        self.pacer.before_request()
        try:
            response = self._http.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"Procore {request.method} {request.url.path} timed out", service=SERVICE
            ) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"Procore {request.method} {request.url.path} failed: {type(exc).__name__}",
                service=SERVICE,
            ) from exc
        self.pacer.observe(response.headers)
        return response

    def _failure(self, response: httpx.Response) -> ApiError:
        if response.status_code in (429, 503):
            now = self._clock()
            delay = retry_delay_s(response.headers, now, THROTTLE_DEFAULT_S)
            self.pacer.block_until(now + delay)
            return error_for(response, retry_at=datetime.fromtimestamp(now + delay, UTC))
        return error_for(response)

    def _auth_headers(self, company_id: int) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.access_token()}",
            "Procore-Company-Id": str(company_id),
        }

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        company_id: int,
        params: Params | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: FilesFactory | None = None,
    ) -> httpx.Response:
        """One API call with its body read; a non-2xx answer raises from `shared.errors`.

        `files` is a factory so that a retried multipart request re-opens its content.
        """
        url = self.absolute(path_or_url)
        if not self.is_api_host(url):
            raise ApiError(f"refusing to send Procore credentials to {url.host}", service=SERVICE)
        attempts = 1 + (self.get_retries if method == "GET" else 0)
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            request = self._http.build_request(
                method,
                url,
                params=_clean(params),
                json=json,
                data=data,
                files=files() if files is not None else None,
                headers=self._auth_headers(company_id),
            )
            try:
                response = self._send(request)
            except TransientError:
                if attempt < attempts:
                    self._sleep(self.retry_pause_s * attempt)
                    continue
                raise
            if response.status_code == 401 and not renewed:
                renewed = True
                self.forget_token()
                continue
            if response.status_code >= 500 and response.status_code != 503 and attempt < attempts:
                self._sleep(self.retry_pause_s * attempt)
                continue
            if response.is_success:
                return response
            raise self._failure(response)

    def pages(
        self, path: str, *, company_id: int, params: Params | None = None
    ) -> Iterator[httpx.Response]:
        """Each page of a list, following `Link: rel="next"` verbatim (API-NOTES A3)."""
        url: str = path
        page_params = params
        while True:
            response = self.request("GET", url, company_id=company_id, params=page_params)
            yield response
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            url, page_params = next_url, None

    # --- content --------------------------------------------------------------------------
    def _open_download(self, url: httpx.URL, company_id: int) -> httpx.Response:
        """GET a file URL and follow its redirects; the token goes to the API host only, and
        never on a redirect hop (API-NOTES A5)."""
        renewed = False
        while True:
            headers = self._auth_headers(company_id) if self.is_api_host(url) else {}
            response = self._send(
                self._http.build_request("GET", url, headers=headers), stream=True
            )
            if response.status_code == 401 and headers and not renewed:
                response.close()
                renewed = True
                self.forget_token()
                continue
            break
        hops = 0
        while response.is_redirect:
            location = response.headers.get("location")
            response.close()
            hops += 1
            if not location or hops > MAX_REDIRECTS:
                raise TransientError(
                    f"Procore download of {url.path} redirected without end", service=SERVICE
                )
            next_url = response.url.join(location)
            response = self._send(self._http.build_request("GET", next_url), stream=True)
        if not response.is_success:
            response.read()
            response.close()
            raise self._failure(response)
        return response

    def download(
        self, url: str, *, company_id: int, chunk_bytes: int = DOWNLOAD_CHUNK_BYTES
    ) -> Iterator[bytes]:
        """The content at a file URL as chunks; stop iterating (or close) to abandon it."""
        target = self.absolute(url)
        attempts = 1 + self.get_retries
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._open_download(target, company_id)
                break
            except TransientError:
                if attempt >= attempts:
                    raise
                self._sleep(self.retry_pause_s * attempt)
        try:
            yield from response.iter_bytes(chunk_bytes)
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Procore download of {target.path} broke off: {type(exc).__name__}",
                service=SERVICE,
            ) from exc
        finally:
            response.close()

    def put_presigned(
        self, url: str, *, headers: Mapping[str, str], body: BodyFactory, length: int
    ) -> httpx.Response:
        """PUT one part to a presigned storage URL: exactly its headers, never the token."""
        attempts = 1 + self.get_retries
        attempt = 0
        while True:
            attempt += 1
            request = self._http.build_request(
                "PUT",
                httpx.URL(url),
                headers={**headers, "Content-Length": str(length)},
                content=body(),
            )
            try:
                response = self._send(request)
            except TransientError:
                if attempt < attempts:
                    self._sleep(self.retry_pause_s * attempt)
                    continue
                raise
            if response.status_code >= 500 and response.status_code != 503 and attempt < attempts:
                self._sleep(self.retry_pause_s * attempt)
                continue
            if response.is_success:
                return response
            raise self._failure(response)
