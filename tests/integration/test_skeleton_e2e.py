"""The skeleton end to end: the real function_app under devhost, on Azurite."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueServiceClient, TextBase64EncodePolicy

from devhost.services import REPO_ROOT, Azurite, Services
from devhost.stack import app_environment, await_message, start_devhost
from shared.queues import PING, POISON_SUFFIX, Ping, PingReply, QueueSender
from shared.storage import queue_service
from tests.integration.conftest import app_settings


@pytest.fixture(scope="module")
def app_url(
    services: Services, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app under devhost, with the repo's host.json but quick retries (as a test may)."""
    host = json.loads((REPO_ROOT / "host.json").read_text())
    host["extensions"]["queues"].update(visibilityTimeout="00:00:00", maxDequeueCount=2)
    host_json = Path(tmp_path_factory.mktemp("host")) / "host.json"
    host_json.write_text(json.dumps(host))
    process, url = start_devhost(services, app_environment(azurite), host_json=host_json)
    yield url
    process.stop()


@pytest.fixture
def queues(azurite: Azurite) -> QueueServiceClient:
    return queue_service(app_settings(azurite))


def poisoned_bodies(queues: QueueServiceClient) -> list[bytes]:
    try:
        peeked = queues.get_queue_client(PING + POISON_SUFFIX).peek_messages(max_messages=32)
    except ResourceNotFoundError:
        return []
    return [base64.b64decode(m.content) for m in peeked]


def test_a_message_from_the_enqueue_helper_is_consumed_and_not_poisoned(
    app_url: str, queues: QueueServiceClient
) -> None:
    ping = Ping(ping_id=uuid.uuid4().hex, sent_at=datetime.now(UTC))
    QueueSender(queues).send(ping)
    reply = await_message(queues, PingReply, lambda r: r.ping_id == ping.ping_id)
    assert reply.sent_at == ping.sent_at
    assert reply.answered_at >= ping.sent_at
    assert not any(ping.ping_id.encode() in body for body in poisoned_bodies(queues))


def test_a_malformed_ping_goes_to_the_poison_queue(
    app_url: str, queues: QueueServiceClient
) -> None:
    """A body that is not a Ping fails its function every time and ends in ping-poison."""
    client = queues.get_queue_client(PING, message_encode_policy=TextBase64EncodePolicy())
    marker = uuid.uuid4().hex
    client.send_message(json.dumps({"not_a_ping": marker}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(marker.encode() in body for body in poisoned_bodies(queues)):
            return
        time.sleep(0.05)
    pytest.fail("the malformed message never reached the poison queue")


def test_health_answers_and_ping_needs_the_function_key(app_url: str) -> None:
    with httpx.Client(base_url=app_url, timeout=10) as http:
        health = http.get("/api/health")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "settings_ok": True, "problems": []}
        assert http.post("/api/ping").status_code == 401
        assert http.post("/api/ping", headers={"x-functions-key": "wrong"}).status_code == 401
        accepted = http.post("/api/ping", params={"code": "local-admin-function-key"})
        assert accepted.status_code == 202
        assert Ping.model_validate_json(accepted.text).ping_id
