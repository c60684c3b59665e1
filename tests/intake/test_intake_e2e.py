"""End to end (Azurite, devhost, both emulators): a project connected through the admin API gets
its hook and its drive's subscription; a file added in Procore arrives as a webhook whose tick
carries it to SharePoint; a duplicate delivery enqueues nothing more; a SharePoint change arrives
as a notification that queues a delta pull; forged deliveries are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from azure.storage.queue import TextBase64DecodePolicy

from devhost.services import Services
from devhost.stack import COMPANY, DRIVE, Stack, poll, start_stack
from shared.queues import DELTA_PULL, DeltaPull, parse
from shared.state.projects import Phase
from shared.storage import queue_service

PROJECT = 4300009601
FOLDER = "Projects/Intake"
SECRET_HEADER = "Bearer local-procore-webhook-secret-0123456789"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Services() as services:
        azurite = services.start_azurite()
        yield start_stack(services, azurite, tmp_path_factory.mktemp("intake-e2e-cert"))


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    key = stack.env["ADMIN_FUNCTION_KEY"]
    with httpx.Client(
        base_url=stack.app_url, headers={"x-functions-key": key}, timeout=60
    ) as client:
        yield client


@pytest.fixture(scope="module")
def connected(stack: Stack, api: httpx.Client) -> str:
    stack.procore.seed_project(PROJECT, "Intake Tower", {"Plans": {"A-101.pdf": "plan"}})
    stack.graph.seed({"Projects": {"Intake": {}}})
    answer = api.post(
        "/api/projects",
        json={
            "procore_company_id": COMPANY,
            "procore_project_id": PROJECT,
            "sharepoint": {
                "site_hostname": "contoso.sharepoint.com",
                "site_path": "/sites/Construction",
                "library": "Documents",
                "folder_path": FOLDER,
            },
        },
    )
    assert answer.status_code == 201, answer.text
    key = str(answer.json()["key"])
    stack.wait_for_phase(key, Phase.REGULAR)
    return key


def deliveries(stack: Stack, resource_name: str, event_type: str) -> list[dict[str, Any]]:
    found = stack.procore.call(
        "GET", "/webhooks/deliveries", resource_name=resource_name, event_type=event_type
    )
    return list(found["deliveries"])


def test_connect_registers_the_hook_and_subscribes_the_drive(stack: Stack, connected: str) -> None:
    project = stack.store().projects.get(connected)
    assert project.procore_hook_id is not None and project.procore_hook_error is None
    drive = stack.store().drives.get(DRIVE)
    assert drive.subscription_id is not None
    subscriptions = [
        s for s in stack.graph.call("GET", "/subscriptions") if DRIVE in str(s["resource"])
    ]
    assert [s["id"] for s in subscriptions] == [drive.subscription_id]
    assert subscriptions[0]["notificationUrl"] == f"{stack.app_url}/api/webhooks/graph"


def test_a_file_added_in_procore_arrives_by_webhook(stack: Stack, connected: str) -> None:
    made = stack.procore.call(
        "POST",
        "/act/files",
        {"project_id": PROJECT, "name": "Webhook.txt", "content": "sent by a webhook"},
    )

    def delivered() -> dict[str, Any] | None:
        for row in deliveries(stack, "Project Files", "create"):
            if row["event"]["resource_id"] == made["id"] and row["response_status"] == 200:
                return row
        return None

    row = poll("the webhook delivery", delivered, 30)
    assert json.loads(row["response_body"])["status"] == "queued"
    target = f"/{FOLDER}/Documents/Webhook.txt"
    poll(
        "the file in SharePoint",
        lambda: any(i["path"] == target for i in stack.graph.call("GET", f"/drives/{DRIVE}/tree")),
        60,
    )
    assert stack.graph.content(target) == b"sent by a webhook"


def test_a_duplicate_delivery_enqueues_nothing_more(stack: Stack, connected: str) -> None:
    stack.procore.call("PATCH", "/config", {"webhook_duplicates": True})
    try:
        made = stack.procore.call(
            "POST", "/act/files", {"project_id": PROJECT, "name": "Twice.txt", "content": "2"}
        )

        def both() -> list[dict[str, Any]] | None:
            rows = [
                r
                for r in deliveries(stack, "Project Files", "create")
                if r["event"]["resource_id"] == made["id"] and r["response_status"] == 200
            ]
            return rows if len(rows) == 2 else None

        rows = poll("two deliveries of one event", both, 30)
    finally:
        stack.procore.call("PATCH", "/config", {"webhook_duplicates": False})
    assert rows[0]["event"]["ulid"] == rows[1]["event"]["ulid"]
    statuses = sorted(json.loads(r["response_body"])["status"] for r in rows)
    assert statuses == ["duplicate", "queued"]


def test_a_sharepoint_change_queues_a_delta_pull(stack: Stack, connected: str) -> None:
    started = datetime.now(UTC)
    stack.graph.act(action="create", path=f"/{FOLDER}/Documents/From SharePoint.txt", content="x")

    def acknowledged() -> bool:
        return any(
            n["status"] == 202 and n["url"].endswith("/api/webhooks/graph")
            for n in stack.graph.call("GET", "/notifications")
        )

    poll("the notification to be acknowledged", acknowledged, 20)
    store = stack.store()
    queue = queue_service(stack.settings).get_queue_client(
        DELTA_PULL, message_decode_policy=TextBase64DecodePolicy()
    )
    wanted = DeltaPull(drive_id=DRIVE, reason="notification")

    def queued_or_pulled() -> bool:
        # With no delta-pull function registered the message waits on its queue; with one,
        # the drive's delta link moves on.
        drive = store.drives.get(DRIVE)
        if drive.delta_link_at is not None and drive.delta_link_at >= started:
            return True
        return any(
            parse(DeltaPull, m.content) == wanted for m in queue.peek_messages(max_messages=32)
        )

    poll("a delta pull for the drive (queued or run)", queued_or_pulled, 30)


def test_forged_deliveries_are_refused(stack: Stack, connected: str) -> None:
    event = deliveries(stack, "Project Files", "create")[0]["event"]
    with httpx.Client(base_url=stack.app_url, timeout=30) as client:
        forged = client.post(
            "/api/webhooks/procore",
            json={**event, "ulid": "01JN3Q4X0Z8YB6M2K7R5T9W1ZZ"},
            headers={"Authorization": "Bearer not-the-secret-0123456789"},
        )
        assert forged.status_code == 401
        unsigned = client.post("/api/webhooks/procore", json=event)
        assert unsigned.status_code == 401
        garbage = client.post(
            "/api/webhooks/procore",
            content=b"{oops",
            headers={"Authorization": SECRET_HEADER},
        )
        assert garbage.status_code == 400 and "not JSON" in garbage.json()["error"]
        drive = stack.store().drives.get(DRIVE)
        wrong_state = client.post(
            "/api/webhooks/graph",
            json={
                "value": [
                    {
                        "subscriptionId": drive.subscription_id,
                        "clientState": "forged-client-state-0123456789",
                        "changeType": "updated",
                        "resource": f"drives/{DRIVE}/root",
                    }
                ]
            },
        )
        assert wrong_state.status_code == 202
        token = client.post("/api/webhooks/graph?validationToken=a%20b%2Bc%3D")
        assert token.status_code == 200 and token.text == "a b+c="
        assert token.headers["content-type"].startswith("text/plain")
    poll(
        "the forged notification to be logged",
        lambda: "clientState mismatch" in stack.devhost.log_path.read_text(errors="replace"),
        10,
    )
