"""Subscriptions: validation handshake, 42,300-minute cap, renewal, deletion, batched notifications
with clientState and no item id, retried while the receiver fails."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .conftest import DRIVE, error_of


class Receiver:
    """A webhook receiver: echoes validation tokens (or not) and records notifications."""

    def __init__(self) -> None:
        self.notifications: list[dict[str, Any]] = []
        self.fail_next = 0
        self.echo = True
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if "validationToken" in query:
                    token = query["validationToken"][0] if receiver.echo else "wrong"
                    payload = token.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                receiver.notifications.append(json.loads(body))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, deadline_s: float = 5) -> list[dict[str, Any]]:
        deadline = time.monotonic() + deadline_s
        while len(self.notifications) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.notifications) >= count, self.notifications
        return self.notifications

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def in_minutes(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


def subscribe(graph: httpx.Client, url: str, **extra: Any) -> httpx.Response:
    body = {
        "changeType": "updated",
        "notificationUrl": url,
        "resource": f"drives/{DRIVE}/root",
        "expirationDateTime": in_minutes(60),
        "clientState": "secret-state",
        **extra,
    }
    return graph.post("/subscriptions", json=body)


def test_change_sends_notification_with_client_state_and_no_item_id(
    graph: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    created = subscribe(graph, receiver.url)
    assert created.status_code == 201
    sub = created.json()
    for name in ("a.txt", "b.txt"):
        control.post(
            f"/drives/{DRIVE}/actions",
            json={"action": "create", "path": f"/{name}", "content": "x"},
        )
    payload = receiver.wait_for(1)[0]
    entry = payload["value"][0]
    assert entry["subscriptionId"] == sub["id"]
    assert entry["clientState"] == "secret-state"
    assert entry["changeType"] == "updated"
    assert entry["resourceData"] == {"@odata.type": "#Microsoft.Graph.DriveItem"}
    assert "id" not in entry["resourceData"]


def test_failed_delivery_is_retried(
    graph: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    assert subscribe(graph, receiver.url).status_code == 201
    receiver.fail_next = 2
    control.post(
        f"/drives/{DRIVE}/actions", json={"action": "create", "path": "/r.txt", "content": "x"}
    )
    receiver.wait_for(1)
    attempts = control.get("/notifications").json()
    assert [a["status"] for a in attempts][:3] == [500, 500, 202]


def test_validation_must_echo_the_token(
    graph: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    receiver.echo = False
    refused = subscribe(graph, receiver.url)
    assert refused.status_code == 400 and error_of(refused)[0] == "InvalidRequest"
    assert control.get("/subscriptions").json() == []
    unreachable = subscribe(graph, "http://127.0.0.1:9/none")
    assert unreachable.status_code == 400


def test_expiry_cap_renewal_and_delete(graph: httpx.Client, receiver: Receiver) -> None:
    too_long = subscribe(graph, receiver.url, expirationDateTime=in_minutes(42300 + 5))
    assert too_long.status_code == 400
    folder = subscribe(graph, receiver.url, resource=f"drives/{DRIVE}/items/abc")
    assert folder.status_code == 400
    created = subscribe(graph, receiver.url, expirationDateTime=in_minutes(42290)).json()
    renewed = graph.patch(
        f"/subscriptions/{created['id']}", json={"expirationDateTime": in_minutes(120)}
    )
    assert renewed.status_code == 200
    assert renewed.json()["expirationDateTime"] < created["expirationDateTime"]
    assert graph.delete(f"/subscriptions/{created['id']}").status_code == 204
    assert graph.get(f"/subscriptions/{created['id']}").status_code == 404
