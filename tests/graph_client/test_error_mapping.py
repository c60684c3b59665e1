"""Graph answers mapped onto `shared.errors`, checked with httpx.MockTransport (no server)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.config import Settings
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
from shared.graph import DeltaResyncRequired, GraphClient
from tests.graph_client.conftest import API, FixedToken

Handler = Callable[[httpx.Request], httpx.Response]


def envelope(code: str, message: str = "nope", inner: str | None = None) -> dict[str, object]:
    error: dict[str, object] = {"code": code, "message": message}
    if inner:
        error["innerError"] = {"code": inner, "request-id": "r1"}
    return {"error": error}


def client_for(settings: Settings, handler: Handler) -> GraphClient:
    return GraphClient(settings, transport=httpx.MockTransport(handler), auth=FixedToken(settings))


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalidRequest", InvalidRequest),
        (401, "InvalidAuthenticationToken", AuthError),
        (403, "accessDenied", PermissionDenied),
        (404, "itemNotFound", NotFound),
        (409, "nameAlreadyExists", Conflict),
        (412, "resourceModified", PreconditionFailed),
        (423, "resourceLocked", Locked),
        (507, "quotaLimitReached", ApiError),
    ],
)
def test_status_and_code_map_to_the_shared_exceptions(
    unit_settings: Settings, status: int, code: str, expected: type[ApiError]
) -> None:
    client = client_for(unit_settings, lambda r: httpx.Response(status, json=envelope(code)))
    with pytest.raises(expected) as caught:
        client.get_item("d1", "i1")
    assert type(caught.value) is expected or status == 507
    assert caught.value.status == status
    assert caught.value.code == code
    assert caught.value.service == "graph"


def test_nested_inner_codes_are_kept_in_the_message(unit_settings: Settings) -> None:
    body = envelope("invalidRequest", "Bad name", inner="nameContainsInvalidCharacters")
    client = client_for(unit_settings, lambda r: httpx.Response(400, json=body))
    with pytest.raises(InvalidRequest) as caught:
        client.create_folder("d1", "p1", "a:b")
    assert "nameContainsInvalidCharacters" in str(caught.value)
    assert caught.value.code == "invalidRequest"


def test_non_json_error_body_still_maps(unit_settings: Settings) -> None:
    client = client_for(unit_settings, lambda r: httpx.Response(404, text="<html>gone</html>"))
    with pytest.raises(NotFound):
        client.get_item("d1", "i1")


def test_429_retry_after_seconds_gives_retry_at_without_sleeping(unit_settings: Settings) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            429, headers={"Retry-After": "120"}, json=envelope("activityLimitReached")
        )

    client = client_for(unit_settings, handler)
    before = datetime.now(UTC)
    with pytest.raises(Throttled) as caught:
        client.get_item("d1", "i1")
    after = datetime.now(UTC)
    assert before + timedelta(seconds=120) <= caught.value.retry_at
    assert caught.value.retry_at <= after + timedelta(seconds=120)
    assert len(calls) == 1  # a throttled request is not retried in-process


def test_503_with_http_date_retry_after(unit_settings: Settings) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    client = client_for(
        unit_settings,
        lambda r: httpx.Response(503, headers={"Retry-After": header}, json=envelope("x")),
    )
    with pytest.raises(Throttled) as caught:
        client.get_item("d1", "i1")
    assert caught.value.retry_at == when
    assert caught.value.status == 503


def test_ratelimit_reset_is_used_without_retry_after(unit_settings: Settings) -> None:
    client = client_for(
        unit_settings,
        lambda r: httpx.Response(429, headers={"RateLimit-Reset": "30"}, json=envelope("x")),
    )
    before = datetime.now(UTC)
    with pytest.raises(Throttled) as caught:
        client.list_versions("d1", "i1")
    delay = caught.value.retry_at - before
    assert timedelta(seconds=29) < delay <= timedelta(seconds=31)


def test_410_on_delta_carries_the_fresh_link(unit_settings: Settings) -> None:
    fresh = f"{API}/drives/d1/root/delta?restart=1"
    client = client_for(
        unit_settings,
        lambda r: httpx.Response(
            410, headers={"Location": fresh}, json=envelope("resyncRequired", inner="resyncX")
        ),
    )
    with pytest.raises(DeltaResyncRequired) as caught:
        list(client.delta("d1", f"{API}/drives/d1/root/delta?token=old"))
    assert caught.value.resync_link == fresh
    assert caught.value.code == "resyncRequired"


def test_410_elsewhere_is_not_found(unit_settings: Settings) -> None:
    client = client_for(unit_settings, lambda r: httpx.Response(410, json=envelope("gone")))
    with pytest.raises(NotFound) as caught:
        client.get_item("d1", "i1")
    assert not isinstance(caught.value, DeltaResyncRequired)


def test_idempotent_request_is_retried_a_few_times_then_transient(
    unit_settings: Settings,
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(500, json=envelope("generalException"))

    client = client_for(unit_settings, handler)
    with pytest.raises(TransientError):
        client.get_item("d1", "i1")
    assert calls == ["GET", "GET", "GET"]
    calls.clear()
    with pytest.raises(TransientError):
        client.create_folder("d1", "p1", "new")
    assert calls == ["POST"]  # not idempotent: not repeated


def test_a_dropped_connection_is_retried_and_can_succeed(unit_settings: Settings) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return httpx.Response(200, json={"id": "i1", "name": "a.txt", "eTag": '"{X},1"'})

    client = client_for(unit_settings, handler)
    item = client.get_item("d1", "i1")
    assert item.name == "a.txt"
    assert item.e_tag == '"{X},1"'
    assert len(calls) == 2


def test_decorated_user_agent_and_token_only_to_the_api(unit_settings: Settings) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/content") and request.url.host == "graph.test":
            return httpx.Response(302, headers={"Location": "https://files.test/dl?sig=1"})
        if request.url.host == "files.test":
            return httpx.Response(200, content=b"hello")
        return httpx.Response(500)

    client = client_for(unit_settings, handler)
    sink = io.BytesIO()
    assert client.download("d1", "i1", sink) == 5
    assert sink.getvalue() == b"hello"
    api_call, download_call = seen
    assert api_call.headers["Authorization"] == "Bearer unit-test-token"
    assert "Authorization" not in download_call.headers
    assert api_call.headers["User-Agent"] == unit_settings.graph_user_agent
    assert download_call.headers["User-Agent"].startswith("NONISV|")


def test_batch_member_errors_map_like_direct_answers(unit_settings: Settings) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "responses": [
                    {
                        "id": "1",
                        "status": 429,
                        "headers": {"Retry-After": "7"},
                        "body": envelope("activityLimitReached"),
                    }
                ]
            },
        )

    client = client_for(unit_settings, handler)
    before = datetime.now(UTC)
    with pytest.raises(Throttled) as caught:
        client.create_folder_tree("d1", "base", ["A"])
    assert timedelta(seconds=6) < caught.value.retry_at - before <= timedelta(seconds=8)
