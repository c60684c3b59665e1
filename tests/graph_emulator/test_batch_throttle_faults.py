"""$batch, resource-unit throttling with RateLimit headers, injected faults, sendMail."""

from __future__ import annotations

import time

import httpx
import pytest

from .conftest import DRIVE, error_of

D = f"/drives/{DRIVE}"


def test_batch_depends_on_and_424(graph: httpx.Client) -> None:
    json_headers = {"Content-Type": "application/json"}
    body = {
        "requests": [
            {
                "id": "1",
                "method": "POST",
                "url": f"{D}/root/children",
                "headers": json_headers,
                "body": {"name": "P", "folder": {}},
            },
            {
                "id": "2",
                "method": "POST",
                "url": f"{D}/root:/P:/children",
                "dependsOn": ["1"],
                "headers": json_headers,
                "body": {"name": "Q", "folder": {}},
            },
            {"id": "3", "method": "GET", "url": f"{D}/root:/missing"},
            {"id": "4", "method": "GET", "url": f"{D}/root", "dependsOn": ["3"]},
        ]
    }
    response = graph.post("/$batch", json=body)
    assert response.status_code == 200
    status = {r["id"]: r["status"] for r in response.json()["responses"]}
    assert status == {"1": 201, "2": 201, "3": 404, "4": 424}
    assert graph.get(f"{D}/root:/P/Q").status_code == 200


def test_batch_over_twenty_is_refused(graph: httpx.Client) -> None:
    body = {"requests": [{"id": str(i), "method": "GET", "url": f"{D}/root"} for i in range(21)]}
    response = graph.post("/$batch", json=body)
    assert response.status_code == 400 and error_of(response)[0] == "BadRequest"


def test_resource_units_throttle_with_retry_after(
    graph: httpx.Client, control: httpx.Client
) -> None:
    control.post("/settings", json={"ru_per_minute": 10, "ru_window_s": 30})
    statuses = []
    headers = []
    for _ in range(6):  # 2 RU each
        response = graph.get(f"{D}/root/children")
        statuses.append(response.status_code)
        headers.append(response.headers)
    assert statuses == [200, 200, 200, 200, 200, 429]
    assert "RateLimit-Remaining" not in headers[2]
    assert headers[3]["RateLimit-Limit"] == "10" and headers[3]["RateLimit-Remaining"] == "2"
    assert 1 <= int(headers[5]["Retry-After"]) <= 30
    counters = control.get("/counters").json()
    assert counters["ru"]["00000000-0000-0000-0000-000000000002"]["used"] == 10
    assert counters["requests"]["throttled"] == 1


def test_batch_members_are_throttled_individually(
    graph: httpx.Client, control: httpx.Client
) -> None:
    control.post("/settings", json={"ru_per_minute": 3, "ru_window_s": 30})
    body = {"requests": [{"id": str(i), "method": "GET", "url": f"{D}/root"} for i in range(5)]}
    responses = graph.post("/$batch", json=body).json()["responses"]
    statuses = sorted(r["status"] for r in responses)
    assert statuses == [200, 200, 200, 429, 429]
    throttled = next(r for r in responses if r["status"] == 429)
    assert "Retry-After" in throttled["headers"]


def test_ru_window_resets(graph: httpx.Client, control: httpx.Client) -> None:
    control.post("/settings", json={"ru_per_minute": 1, "ru_window_s": 0.3})
    assert graph.get(f"{D}/root").status_code == 200
    assert graph.get(f"{D}/root").status_code == 429
    deadline = time.monotonic() + 3
    status = 429
    while status == 429 and time.monotonic() < deadline:
        status = graph.get(f"{D}/root").status_code
    assert status == 200


@pytest.mark.parametrize(("kind", "status"), [("throttle", 429), ("unavailable", 503)])
def test_fault_storms(graph: httpx.Client, control: httpx.Client, kind: str, status: int) -> None:
    control.post("/faults", json={"kind": kind, "count": 2, "retry_after_s": 7})
    first, second, third = (graph.get(f"{D}/root") for _ in range(3))
    assert first.status_code == second.status_code == status
    assert first.headers["Retry-After"] == "7"
    assert error_of(first)
    assert third.status_code == 200


def test_dropped_connection_and_slow_response(graph: httpx.Client, control: httpx.Client) -> None:
    control.post("/faults", json={"kind": "drop", "count": 1})
    with pytest.raises(httpx.TransportError):
        graph.get(f"{D}/root")
    assert graph.get(f"{D}/root").status_code == 200
    control.post("/faults", json={"kind": "slow", "count": 1, "delay_s": 0.5})
    started = time.monotonic()
    assert graph.get(f"{D}/root").status_code == 200
    assert time.monotonic() - started >= 0.5


def test_send_mail_lands_in_the_mailbox(graph: httpx.Client, control: httpx.Client) -> None:
    message = {
        "subject": "Two way sync initiated for project Tower",
        "body": {"contentType": "Text", "content": "done"},
        "toRecipients": [{"emailAddress": {"address": "it-admin@contoso.example"}}],
    }
    response = graph.post("/users/sync@contoso.example/sendMail", json={"message": message})
    assert response.status_code == 202 and response.content == b""
    stored = control.get("/mailbox", params={"address": "sync@contoso.example"}).json()
    assert [m["message"]["subject"] for m in stored] == [message["subject"]]
    unknown = graph.post("/users/nobody@contoso.example/sendMail", json={"message": message})
    assert unknown.status_code == 404
    no_one = graph.post("/users/sync@contoso.example/sendMail", json={"message": {"subject": "x"}})
    assert no_one.status_code == 400 and error_of(no_one)[0] == "ErrorInvalidRecipients"
