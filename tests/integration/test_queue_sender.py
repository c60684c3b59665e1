"""QueueSender against Azurite: what lands on the wire is what the Functions trigger expects."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

from azure.storage.queue import QueueClient

from devhost.services import Azurite
from shared.queues import PING, Ping, QueueSender, parse
from shared.storage import queue_service
from tests.integration.conftest import app_settings


def receive_raw(azurite: Azurite, queue: str, deadline_s: float = 10) -> list[str]:
    """Raw message texts (no decoding), polled until at least one arrives or the deadline."""
    client = QueueClient.from_connection_string(azurite.connection_string, queue)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        texts = [m.content for m in client.receive_messages(max_messages=32)]
        if texts:
            return texts
        time.sleep(0.05)
    return []


def test_messages_are_base64_json_of_the_model(azurite: Azurite) -> None:
    settings = app_settings(azurite)
    service = queue_service(settings)
    sender = QueueSender(service)
    ping = Ping(ping_id="wire-check", sent_at=datetime(2026, 11, 27, tzinfo=UTC))
    sender.send(ping)
    service.get_queue_client(PING).clear_messages()
    sender.send(ping)
    (raw,) = receive_raw(azurite, PING)
    assert parse(Ping, base64.b64decode(raw, validate=True)) == ping


def test_a_delayed_message_stays_invisible_until_its_delay(azurite: Azurite) -> None:
    settings = app_settings(azurite)
    service = queue_service(settings)
    sender = QueueSender(service)
    ping = Ping(ping_id="delayed", sent_at=datetime.now(UTC))
    client = service.get_queue_client(PING)
    sender.send(ping)  # creates the queue
    client.clear_messages()
    sender.send(ping, delay_s=2)
    assert list(client.receive_messages(max_messages=32)) == []
    assert receive_raw(azurite, PING, deadline_s=10), "the delayed message never appeared"
