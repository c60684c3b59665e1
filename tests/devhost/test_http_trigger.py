"""HTTP triggers under devhost: route prefix and parameters, methods, auth levels, errors."""

from __future__ import annotations

import httpx
import pytest

from tests.devhost.conftest import FUNCTION_KEY, MASTER_KEY, SampleRun


def test_anonymous_route_answers_with_route_and_query_params(sample: SampleRun) -> None:
    response = httpx.get(f"{sample.url}/api/hello/World", params={"lang": "en"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-sample"] == "hello"
    assert response.json() == {"name": "World", "params": {"lang": "en"}}


def test_literal_segments_and_prefix_match_case_insensitively(sample: SampleRun) -> None:
    response = httpx.get(f"{sample.url}/API/Hello/Ada")

    assert response.status_code == 200
    assert response.json()["name"] == "Ada"


def test_str_result_is_a_text_response(sample: SampleRun) -> None:
    response = httpx.get(f"{sample.url}/api/text")

    assert response.status_code == 200
    assert response.text == "just text"
    assert response.headers["content-type"].startswith("text/plain")


def test_unknown_route_is_404_and_wrong_method_is_405(sample: SampleRun) -> None:
    assert httpx.get(f"{sample.url}/api/nothing-here").status_code == 404
    assert httpx.get(f"{sample.url}/hello/World").status_code == 404  # no route prefix
    wrong = httpx.delete(f"{sample.url}/api/hello/World")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET"


def test_int_constraint_and_optional_parameter(sample: SampleRun) -> None:
    headers = {"x-functions-key": FUNCTION_KEY}

    bare = httpx.get(f"{sample.url}/api/items/42", headers=headers)
    labelled = httpx.post(f"{sample.url}/api/items/7/blue", headers=headers, content=b"payload")
    not_int = httpx.get(f"{sample.url}/api/items/seven", headers=headers)

    assert bare.status_code == 200
    assert bare.json() == {"method": "GET", "route_params": {"id": "42"}, "body": ""}
    assert labelled.status_code == 201
    assert labelled.json() == {
        "method": "POST",
        "route_params": {"id": "7", "label": "blue"},
        "body": "payload",
    }
    assert not_int.status_code == 404


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({}, {}),
        ({"x-functions-key": "wrong-key"}, {}),
        ({}, {"code": "wrong-key"}),
    ],
    ids=["no-key", "wrong-header-key", "wrong-code"],
)
def test_function_level_route_refuses_missing_or_wrong_key(
    sample: SampleRun, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = httpx.get(f"{sample.url}/api/items/1", headers=headers, params=params)

    assert response.status_code == 401
    assert FUNCTION_KEY not in response.text
    assert MASTER_KEY not in response.text


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"x-functions-key": FUNCTION_KEY}, {}),
        ({}, {"code": FUNCTION_KEY}),
        ({"x-functions-key": MASTER_KEY}, {}),
    ],
    ids=["header", "code", "master-key"],
)
def test_function_level_route_accepts_the_key(
    sample: SampleRun, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = httpx.get(f"{sample.url}/api/items/1", headers=headers, params=params)

    assert response.status_code == 200
    assert response.json()["route_params"] == {"id": "1"}


def test_admin_route_takes_only_the_master_key(sample: SampleRun) -> None:
    url = f"{sample.url}/api/maintenance"

    assert httpx.post(url, headers={"x-functions-key": FUNCTION_KEY}).status_code == 401
    assert httpx.post(url).status_code == 401
    allowed = httpx.post(url, params={"code": MASTER_KEY})
    assert allowed.status_code == 200
    assert allowed.text == "maintenance done"


def test_function_exception_is_a_generic_500(sample: SampleRun) -> None:
    response = httpx.get(f"{sample.url}/api/broken")

    assert response.status_code == 500
    assert "internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "internal detail" in sample.process.log_path.read_text()


def test_status_endpoint_lists_the_discovered_functions(sample: SampleRun) -> None:
    status = httpx.get(f"{sample.url}/admin/host/status").json()

    assert status["state"] == "Running"
    assert set(status["functions"]) == {
        "record_message",
        "fail_marked",
        "slow_work",
        "every_two_seconds",
        "hello",
        "item",
        "plain_text",
        "broken",
        "maintenance",
    }
