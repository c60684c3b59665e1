"""Token, company header, error mapping, retries, paging and redirects, against MockTransport."""

from __future__ import annotations

import httpx
import pytest

from shared.errors import (
    ApiError,
    AuthError,
    Conflict,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    TransientError,
)
from shared.procore import Scope
from tests.procore_client.fakes import API, FakeClock, client_for

SCOPE = Scope.project(4300000001, 4300000101)


def folder(id_: int = 10) -> dict[str, object]:
    return {"id": id_, "name": "", "folders": [], "files": []}


def test_one_token_for_many_calls_with_bearer_and_company_header_on_each() -> None:
    client, recorder, _ = client_for(lambda r: httpx.Response(200, json=folder()))
    for _ in range(3):
        client.get_folder(SCOPE)
    assert recorder.tokens_issued == 1
    token_request = recorder.requests[0]
    assert token_request.url.path == "/oauth/token"
    form = dict(httpx.QueryParams(token_request.content.decode()))
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == "local-procore-client"
    for request in recorder.api_requests():
        assert request.headers["Authorization"] == "Bearer token-1"
        assert request.headers["Procore-Company-Id"] == "4300000001"
        assert request.url.params["project_id"] == "4300000101"


def test_token_is_renewed_before_it_expires() -> None:
    clock = FakeClock()
    client, recorder, _ = client_for(
        lambda r: httpx.Response(200, json=folder()), clock, PROCORE_TOKEN_RENEW_BEFORE_S=300
    )
    client.get_folder(SCOPE)
    clock.now += 5400 - 300 - 1
    client.get_folder(SCOPE)
    assert recorder.tokens_issued == 1
    clock.now += 2
    client.get_folder(SCOPE)
    assert recorder.tokens_issued == 2
    assert recorder.api_requests()[-1].headers["Authorization"] == "Bearer token-2"


def test_a_401_renews_the_token_once_and_retries() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer token-1":
            return httpx.Response(401, json={"code": "invalid_token", "message": "expired"})
        return httpx.Response(200, json=folder())

    client, recorder, _ = client_for(api)
    assert client.get_folder(SCOPE).id == 10
    assert recorder.tokens_issued == 2


def test_a_second_401_is_an_auth_error() -> None:
    client, recorder, _ = client_for(
        lambda r: httpx.Response(401, json={"code": "invalid_token", "message": "Token revoked"})
    )
    with pytest.raises(AuthError, match="Token revoked"):
        client.get_folder(SCOPE)
    assert recorder.tokens_issued == 2
    assert len(recorder.api_requests()) == 2


def test_refused_client_credentials_are_an_auth_error_without_the_secret() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client", "error_description": "bad"})

    clock = FakeClock()
    from shared.procore import ProcoreClient
    from tests.procore_client.fakes import settings

    client = ProcoreClient(
        settings(), transport=httpx.MockTransport(handler), clock=clock.time, sleep=clock.sleep
    )
    with pytest.raises(AuthError) as caught:
        client.get_folder(SCOPE)
    assert "invalid_client" in str(caught.value)
    assert "local-procore-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (400, {"errors": "Missing Procore-Company-Id header!"}, InvalidRequest, "Missing Procore"),
        (403, {"errors": "You do not have access to this project"}, PermissionDenied, "access"),
        (404, {"error": "Not Found"}, NotFound, "Not Found"),
        (
            409,
            {"errors": {"base": ["Name has already been taken"]}, "error_type": "name_taken"},
            Conflict,
            "Name has already been taken",
        ),
        (422, {"errors": {"parent_id": ["cannot be a descendant"]}}, InvalidRequest, "parent_id"),
    ],
)
def test_failures_map_to_the_shared_errors_with_the_service_message(
    status: int, body: dict[str, object], error: type[ApiError], message: str
) -> None:
    client, recorder, _ = client_for(lambda r: httpx.Response(status, json=body))
    with pytest.raises(error, match=message) as caught:
        client.create_folder(SCOPE, "X")
    assert caught.value.status == status
    assert caught.value.service == "procore"
    assert len(recorder.api_requests()) == 1


def test_conflict_carries_the_error_type_as_code() -> None:
    client, _, _ = client_for(
        lambda r: httpx.Response(
            409, json={"errors": {"base": ["taken"]}, "error_type": "name_taken"}
        )
    )
    with pytest.raises(Conflict) as caught:
        client.create_folder(SCOPE, "X")
    assert caught.value.code == "name_taken"


def test_gets_are_retried_a_few_times_on_5xx_then_succeed() -> None:
    answers = iter(
        [
            httpx.Response(500, json={"errors": "boom"}),
            httpx.Response(502),
            httpx.Response(200, json=folder()),
        ]
    )
    client, recorder, _ = client_for(lambda r: next(answers), PROCORE_GET_RETRIES=2)
    assert client.get_folder(SCOPE).id == 10
    assert len(recorder.api_requests()) == 3


def test_gets_give_up_with_transient_error_after_the_bounded_retries() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, recorder, _ = client_for(api, PROCORE_GET_RETRIES=2)
    with pytest.raises(TransientError):
        client.get_folder(SCOPE)
    assert len(recorder.api_requests()) == 3


def test_writes_are_not_retried() -> None:
    client, recorder, _ = client_for(lambda r: httpx.Response(500, json={"errors": "boom"}))
    with pytest.raises(TransientError, match="boom"):
        client.create_folder(SCOPE, "X")
    assert len(recorder.api_requests()) == 1


def test_paging_follows_link_next_and_stops_when_the_caller_stops() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        headers = {}
        if page < 3:
            nxt = request.url.copy_set_param("page", str(page + 1))
            headers["Link"] = (
                f'<{nxt}>; rel="next", <{request.url.copy_set_param("page", "3")}>; rel="last"'
            )
        rows = [{"id": page * 10 + i, "document_type": "file", "name": f"f{i}"} for i in range(2)]
        return httpx.Response(200, json=rows, headers=headers)

    client, recorder, _ = client_for(api)
    ids = [e.id for e in client.list_documents(SCOPE)]
    assert ids == [10, 11, 20, 21, 30, 31]
    assert len(recorder.api_requests()) == 3
    first = recorder.api_requests()[0]
    assert first.url.params["sort"] == "updated_at"
    recorder.requests.clear()
    entries = client.list_documents(SCOPE)
    assert next(entries).id == 10
    entries.close()
    assert len(recorder.api_requests()) == 1


def test_a_next_link_to_another_host_is_refused() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=[{"id": 1}], headers={"Link": '<http://evil.test/rest/x?page=2>; rel="next"'}
        )

    client, recorder, _ = client_for(api)
    with pytest.raises(ApiError, match="refusing"):
        list(client.list_documents(SCOPE))
    assert all(r.url.host == "procore.test" for r in recorder.requests)


def test_download_sends_the_token_to_the_api_host_only_and_never_on_a_redirect() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/prostore/blobs/1":
            return httpx.Response(302, headers={"Location": f"{API}/_storage/blobs/1?sig=x"})
        if request.url.path == "/_storage/blobs/1":
            return httpx.Response(302, headers={"Location": "http://s3.test/bucket/1?sig=y"})
        return httpx.Response(200, content=b"hello " * 1000)

    client, recorder, _ = client_for(api)
    data = b"".join(client.download(SCOPE, f"{API}/prostore/blobs/1"))
    assert data == b"hello " * 1000
    hops = recorder.api_requests()
    assert [r.url.path for r in hops] == ["/prostore/blobs/1", "/_storage/blobs/1", "/bucket/1"]
    assert hops[0].headers["Authorization"] == "Bearer token-1"
    assert "Authorization" not in hops[1].headers
    assert "Authorization" not in hops[2].headers
    recorder.requests.clear()
    assert b"".join(client.download(SCOPE, "http://cdn.test/x")) == b"hello " * 1000
    assert "Authorization" not in recorder.requests[0].headers


def test_download_failure_maps_like_any_call() -> None:
    client, _, _ = client_for(lambda r: httpx.Response(404, json={"error": "Not Found"}))
    with pytest.raises(NotFound):
        b"".join(client.download(SCOPE, f"{API}/prostore/blobs/9"))
