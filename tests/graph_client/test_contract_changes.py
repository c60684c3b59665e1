"""Contract: delta (initial, token=latest, stored links, 410 resync), subscriptions with the
validation handshake, sendMail, and throttling under a resource-unit storm."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.errors import InvalidRequest, NotFound, Throttled
from shared.graph import DeltaResyncRequired, DriveItem, GraphClient
from tests.graph_client.conftest import Emulator

DRIVE = "b!documents-construction"


def drain(graph: GraphClient, link: str | None = None) -> tuple[list[DriveItem], str]:
    items: list[DriveItem] = []
    feed = graph.delta(DRIVE, link)
    while True:
        try:
            items.append(next(feed))
        except StopIteration as done:
            return items, done.value


def test_initial_delta_pages_then_changes_from_the_stored_link(
    emulator: Emulator, graph: GraphClient
) -> None:
    ids = emulator.seed(DRIVE, {"A": {"a1.txt": "1", "a2.txt": "2"}, "B": {"b1.txt": "3"}})
    emulator.post("/settings", {"page_size": 2})
    pages = list(graph.delta_pages(DRIVE))
    assert len(pages) >= 3
    assert all(p.next_link for p in pages[:-1])
    assert pages[-1].delta_link
    seen = {i.id for p in pages for i in p.items}
    assert set(ids.values()) <= seen
    items, link = drain(graph)
    assert link
    assert all(i.parent_reference is None or i.parent_reference.path is None for i in items)

    emulator.act(DRIVE, action="edit", path="/A/a1.txt", content="1 edited")
    emulator.act(DRIVE, action="delete", path="/B/b1.txt")
    emulator.act(DRIVE, action="create", path="/B/new.txt", content="new")
    changes, next_link = drain(graph, link)
    by_id = {i.id: i for i in changes}
    assert by_id[ids["/A/a1.txt"]].size == len(b"1 edited")
    deleted = by_id[ids["/B/b1.txt"]]
    assert deleted.is_deleted
    assert deleted.name is None
    assert any(i.name == "new.txt" and not i.is_deleted for i in changes)
    assert ids["/A/a2.txt"] not in by_id
    quiet, _ = drain(graph, next_link)
    assert quiet == []


def test_token_latest_skips_existing_items(emulator: Emulator, graph: GraphClient) -> None:
    emulator.seed(DRIVE, {"Old": {"old.txt": "old"}})
    link = graph.latest_delta_link(DRIVE)
    emulator.act(DRIVE, action="create", path="/Old/fresh.txt", content="fresh")
    items, _ = drain(graph, link)
    assert [i.name for i in items if i.file is not None] == ["fresh.txt"]


def test_an_invalidated_token_raises_resync_with_a_fresh_link(
    emulator: Emulator, graph: GraphClient
) -> None:
    ids = emulator.seed(DRIVE, {"R": {"r.txt": "r"}})
    link = graph.latest_delta_link(DRIVE)
    emulator.post("/delta/resync", {"drive_id": DRIVE})
    with pytest.raises(DeltaResyncRequired) as caught:
        drain(graph, link)
    assert caught.value.status == 410
    assert caught.value.resync_link
    items, new_link = drain(graph, caught.value.resync_link)
    assert ids["/R/r.txt"] in {i.id for i in items}
    assert new_link


class Receiver:
    """A webhook receiver: echoes Graph's validationToken, records notifications."""

    def __init__(self, echo: bool = True) -> None:
        self.echo = echo
        self.notifications: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if "validationToken" in query:
                    token = query["validationToken"][0].encode() if receiver.echo else b""
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(token)))
                    self.end_headers()
                    self.wfile.write(token)
                    return
                receiver.notifications.append(json.loads(body))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/graph-hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def test_subscription_lifecycle_and_a_notification(
    emulator: Emulator, graph: GraphClient, receiver: Receiver
) -> None:
    asked = datetime.now(UTC) + timedelta(days=60)  # beyond the cap: the client clamps it
    subscription = graph.create_subscription(DRIVE, receiver.url, expires_at=asked)
    cap = datetime.now(UTC) + timedelta(minutes=42_300)
    assert subscription.expiration_date_time <= cap
    assert subscription.expiration_date_time > cap - timedelta(minutes=5)
    assert subscription.resource is not None and DRIVE in subscription.resource
    state = graph.settings.graph_client_state.get_secret_value()
    assert [s.id for s in graph.list_subscriptions()] == [subscription.id]

    emulator.act(DRIVE, action="create", path="/hello.txt", content="hi")
    deadline = time.monotonic() + 10
    while not receiver.notifications and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver.notifications, "no change notification arrived"
    (entry,) = receiver.notifications[0]["value"]
    assert entry["subscriptionId"] == subscription.id
    assert entry["clientState"] == state
    assert "id" not in entry.get("resourceData", {})

    renewed = graph.renew_subscription(subscription.id, datetime.now(UTC) + timedelta(days=1))
    assert renewed.expiration_date_time < subscription.expiration_date_time
    graph.delete_subscription(subscription.id)
    assert graph.list_subscriptions() == []
    with pytest.raises(NotFound):
        graph.delete_subscription(subscription.id)


def test_a_receiver_that_does_not_echo_gets_no_subscription(
    emulator: Emulator, graph: GraphClient
) -> None:
    silent = Receiver(echo=False)
    try:
        with pytest.raises(InvalidRequest):
            graph.create_subscription(DRIVE, silent.url)
    finally:
        silent.close()
    assert graph.list_subscriptions() == []


def test_send_mail_lands_in_the_mailbox(emulator: Emulator, graph: GraphClient) -> None:
    emulator.control.delete("/mailbox")
    graph.send_mail(
        ["pm@contoso.example"],
        "Two way sync initiated for project Tower A",
        "<p>12 files</p>",
        cc=["it-admin@contoso.example"],
        content_type="HTML",
    )
    (mail,) = emulator.get("/mailbox", address="sync@contoso.example")
    message = mail["message"]
    assert message["subject"] == "Two way sync initiated for project Tower A"
    assert message["body"] == {"contentType": "HTML", "content": "<p>12 files</p>"}
    assert [r["emailAddress"]["address"] for r in message["toRecipients"]] == ["pm@contoso.example"]
    assert [r["emailAddress"]["address"] for r in message["ccRecipients"]] == [
        "it-admin@contoso.example"
    ]
    with pytest.raises(NotFound):
        graph.send_mail(["x@contoso.example"], "s", "b", sender="nobody@contoso.example")


def test_resource_unit_storm_surfaces_throttled_with_retry_at(
    emulator: Emulator, graph: GraphClient
) -> None:
    emulator.post("/settings", {"ru_per_minute": 10, "ru_window_s": 30})
    started = datetime.now(UTC)
    with pytest.raises(Throttled) as caught:
        for _ in range(20):
            graph.get_drive(DRIVE)
    retry_at = caught.value.retry_at
    assert started < retry_at <= started + timedelta(seconds=31)
    assert caught.value.status == 429
    assert caught.value.code == "activityLimitReached"


def test_503_is_throttled_and_dropped_reads_are_retried(
    emulator: Emulator, graph: GraphClient
) -> None:
    emulator.post("/faults", {"kind": "unavailable", "count": 1, "retry_after_s": 4})
    with pytest.raises(Throttled) as caught:
        graph.get_drive(DRIVE)
    assert caught.value.status == 503
    emulator.post("/faults", {"kind": "drop", "count": 2})
    assert graph.get_drive(DRIVE).id == DRIVE  # two immediate retries, third attempt answers
