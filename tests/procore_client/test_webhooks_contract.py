"""Contract: hooks and triggers, and the v2.0 payload the receiver parses."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.errors import InvalidRequest, NotFound
from shared.procore import ProcoreClient, Scope, UploadSource
from shared.procore.webhook_models import WebhookEvent
from tests.procore_client.conftest import PROJECT_ID, Emulator

pytestmark = pytest.mark.integration


class Receiver:
    """A tiny webhook endpoint recording what Procore posts to it."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/procore/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, deadline_s: float = 10) -> None:
        deadline = time.monotonic() + deadline_s
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.posts) >= count, f"{len(self.posts)} deliveries, expected {count}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def test_hooks_and_triggers_deliver_parsable_v2_payloads_with_our_headers(
    emulator: Emulator, client: ProcoreClient, project: Scope, receiver: Receiver
) -> None:
    hook = client.create_hook(
        project,
        namespace="sharepoint-sync",
        destination_url=receiver.url,
        destination_headers={"Authorization": "Bearer shared-secret-0123456789"},
    )
    assert hook.namespace == "sharepoint-sync" and hook.destination_url == receiver.url
    trigger = client.create_trigger(
        project, hook.id, resource_name="Project Folders", event_type="create"
    )
    assert (trigger.resource_name, trigger.event_type) == ("Project Folders", "create")
    assert [h.id for h in client.list_hooks(project)] == [hook.id]
    assert [t.id for t in client.list_triggers(project, hook.id)] == [trigger.id]
    with pytest.raises(InvalidRequest):
        client.create_trigger(project, hook.id, resource_name="No Such Thing", event_type="create")

    made = client.create_folder(project, "From the app")
    receiver.wait_for(1)
    headers, body = receiver.posts[0]
    assert headers["authorization"] == "Bearer shared-secret-0123456789"
    event = WebhookEvent.model_validate(json.loads(body))
    assert event.api_version == "v2.0"
    assert (event.resource_name, event.event_type, event.resource_id) == (
        "Project Folders",
        "create",
        made.id,
    )
    assert event.project_id == PROJECT_ID and event.ulid

    client.delete_trigger(project, hook.id, trigger.id)
    assert list(client.list_triggers(project, hook.id)) == []
    client.delete_hook(project, hook.id)
    assert list(client.list_hooks(project)) == []
    with pytest.raises(NotFound):
        client.delete_hook(project, hook.id)


def test_company_hooks_hear_company_documents(
    emulator: Emulator, client: ProcoreClient, company: Scope, receiver: Receiver
) -> None:
    hook = client.create_hook(company, namespace="sharepoint-sync", destination_url=receiver.url)
    client.create_trigger(company, hook.id, resource_name="Company Files", event_type="create")
    made = client.upload_file(company, None, "Company Policy.pdf", UploadSource.from_bytes(b"%PDF"))
    receiver.wait_for(1)
    event = WebhookEvent.model_validate(json.loads(receiver.posts[0][1]))
    assert (event.resource_name, event.resource_id) == ("Company Files", made.id)
    assert [h.id for h in client.list_hooks(company)] == [hook.id]
