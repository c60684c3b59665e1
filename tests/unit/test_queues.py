"""Queue messages: typed, base64 on the wire, refused when Azure would refuse them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from shared.queues import (
    ALL_QUEUES,
    MAX_ENCODED_BYTES,
    InvalidMessage,
    MessageTooLarge,
    Ping,
    QueueMessage,
    QueueSender,
    parse,
)


class Sent:
    def __init__(self) -> None:
        self.id = "m1"


class FakeQueue:
    def __init__(self, name: str, policy: Any) -> None:
        self.name = name
        self.policy = policy
        self.sent: list[tuple[str, int | None]] = []

    def send_message(self, text: str, visibility_timeout: int | None = None) -> Sent:
        self.sent.append((text, visibility_timeout))
        return Sent()


class FakeService:
    def __init__(self) -> None:
        self.queues: dict[str, FakeQueue] = {}
        self.created: list[str] = []

    def get_queue_client(self, name: str, message_encode_policy: Any = None) -> FakeQueue:
        return self.queues.setdefault(name, FakeQueue(name, message_encode_policy))

    def create_queue(self, name: str) -> None:
        self.created.append(name)


class Big(QueueMessage):
    queue: ClassVar[str] = "transfer"
    blob: str


def test_queue_names_are_valid_azure_names_and_unique() -> None:
    assert len(set(ALL_QUEUES)) == len(ALL_QUEUES)
    for name in ALL_QUEUES:
        assert 3 <= len(name) <= 63
        assert name == name.lower()
        assert "--" not in name and not name.startswith("-") and not name.endswith("-")
        assert all(c.isalnum() or c == "-" for c in name)


def test_sender_base64_encodes_and_creates_the_queue_once() -> None:
    service = FakeService()
    sender = QueueSender(service)  # type: ignore[arg-type]
    ping = Ping(ping_id="abc", sent_at=datetime(2026, 1, 2, tzinfo=UTC))
    sender.send(ping)
    sender.send(ping, delay_s=30)
    queue = service.queues["ping"]
    assert type(queue.policy).__name__ == "TextBase64EncodePolicy"
    assert service.created == ["ping"]
    assert [delay for _, delay in queue.sent] == [None, 30]
    wire = queue.policy.encode(queue.sent[0][0])
    assert parse(Ping, base64.b64decode(wire)) == ping


def test_message_over_64_kib_encoded_is_refused_before_sending() -> None:
    service = FakeService()
    sender = QueueSender(service)  # type: ignore[arg-type]
    # 48 KiB of text is 64 KiB once base64-encoded: with the JSON around it, too large.
    with pytest.raises(MessageTooLarge, match=r"Big for queue transfer is \d+ bytes"):
        sender.send(Big(blob="x" * (MAX_ENCODED_BYTES * 3 // 4)))
    sender.send(Big(blob="x" * (MAX_ENCODED_BYTES * 3 // 4 - 100)))
    assert len(service.queues["transfer"].sent) == 1


def test_delay_outside_azure_range_is_refused() -> None:
    sender = QueueSender(FakeService())  # type: ignore[arg-type]
    ping = Ping(ping_id="a", sent_at=datetime.now(UTC))
    with pytest.raises(ValueError, match="visibility delay"):
        sender.send(ping, delay_s=8 * 24 * 3600)
    with pytest.raises(ValueError, match="visibility delay"):
        sender.send(ping, delay_s=-1)


def test_parse_rejects_wrong_payloads_with_the_model_and_queue_named() -> None:
    with pytest.raises(InvalidMessage, match="Ping on queue ping"):
        parse(Ping, b'{"ping_id": ""}')
    with pytest.raises(InvalidMessage):
        parse(Ping, b"not json")
    with pytest.raises(InvalidMessage):
        parse(Ping, b'{"ping_id": "a", "sent_at": "2026-01-01T00:00:00Z", "extra": 1}')
