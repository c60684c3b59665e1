"""Webhooks: hooks and triggers API, v2.0 payloads, retries with backoff, duplicates (A9)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.procore_emulator.conftest import COMPANY_ID, PROJECT_ID, Procore, Receiver

SECRET = {"Authorization": "Bearer hook-secret"}


def poll(check: Callable[[], Any], deadline_s: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy, or fail at the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")


def make_hook(procore: Procore, receiver: Receiver, *triggers: tuple[str, str]) -> int:
    hook = procore.call(
        "POST",
        "/v1.0/webhooks/hooks",
        json={
            "project_id": PROJECT_ID,
            "hook": {
                "api_version": "v2",
                "namespace": "pss-sync",
                "destination_url": receiver.url,
                "destination_headers": SECRET,
            },
        },
    )
    assert hook.status_code == 201, hook.text
    hook_id = int(hook.json()["id"])
    for resource, event in triggers:
        made = procore.call(
            "POST",
            f"/v1.0/webhooks/hooks/{hook_id}/triggers",
            json={
                "project_id": PROJECT_ID,
                "api_version": "v2",
                "trigger": {"resource_name": resource, "event_type": event},
            },
        )
        assert made.status_code == 201, made.text
    return hook_id


def test_user_change_delivers_v2_payload_with_destination_headers(
    procore: Procore, receiver: Receiver
) -> None:
    make_hook(procore, receiver, ("Project Files", "create"))
    created = procore.control(
        "POST",
        "/act/files",
        json={
            "project_id": PROJECT_ID,
            "parent_id": procore.lookup("Drawings"),
            "name": "New.pdf",
            "size": 1234,
        },
    )
    assert created.status_code == 201
    poll(lambda: receiver.received)
    delivery = receiver.received[0]
    assert delivery["headers"]["Authorization"] == "Bearer hook-secret"
    payload = delivery["json"]
    assert set(payload) == {
        "id",
        "ulid",
        "timestamp",
        "metadata",
        "user_id",
        "company_id",
        "project_id",
        "api_version",
        "event_type",
        "resource_name",
        "resource_id",
    }
    assert payload["api_version"] == "v2.0"
    assert payload["resource_name"] == "Project Files"
    assert payload["event_type"] == "create"
    assert payload["resource_id"] == created.json()["id"]
    assert payload["company_id"] == COMPANY_ID and payload["project_id"] == PROJECT_ID
    assert len(payload["ulid"]) == 26
    assert payload["timestamp"].endswith("Z")
    assert payload["metadata"]["source_application_id"] is None
    assert payload["metadata"]["source_user_id"] == payload["user_id"] == 4300000502


def test_api_changes_fire_events_marked_with_the_application(
    procore: Procore, receiver: Receiver
) -> None:
    make_hook(procore, receiver, ("Project Folders", "create"), ("Project Folders", "delete"))
    made = procore.call(
        "POST",
        "/v1.0/folders",
        params={"project_id": PROJECT_ID},
        json={"folder": {"name": "Hooked"}},
    )
    procore.call("DELETE", f"/v1.0/folders/{made.json()['id']}", params={"project_id": PROJECT_ID})
    poll(lambda: len(receiver.received) >= 2)
    kinds = sorted(d["json"]["event_type"] for d in receiver.received)
    assert kinds == ["create", "delete"]
    assert all(
        d["json"]["metadata"]["source_application_id"] == 4300000601 for d in receiver.received
    )


def test_untriggered_resources_deliver_nothing(procore: Procore, receiver: Receiver) -> None:
    make_hook(procore, receiver, ("Images", "create"))
    procore.control("POST", "/act/folders", json={"project_id": PROJECT_ID, "name": "Quiet"})
    album = procore.control(
        "POST", "/act/image_categories", json={"project_id": PROJECT_ID, "name": "Roof"}
    ).json()
    procore.control(
        "POST",
        "/act/images",
        json={
            "project_id": PROJECT_ID,
            "image_category_id": album["id"],
            "filename": "r.jpg",
            "size": 10,
        },
    )
    poll(lambda: receiver.received)
    log = poll(
        lambda: [
            r
            for r in procore.control("GET", "/webhooks/deliveries").json()["deliveries"]
            if r["outcome"]
        ]
    )
    assert [d["json"]["resource_name"] for d in receiver.received] == ["Images"]
    assert len(log) == 1


def test_failed_deliveries_are_retried_with_backoff_then_succeed(
    procore: Procore, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    hook_id = make_hook(procore, receiver, ("Project Files", "update"))
    file_id = procore.lookup("Project Directory.xlsx")
    procore.control("PATCH", f"/act/files/{file_id}", json={"name": "Directory 2025.xlsx"})

    def finished() -> list[dict[str, Any]]:
        rows = procore.control("GET", "/webhooks/deliveries", params={"hook_id": hook_id}).json()[
            "deliveries"
        ]
        return rows if any(r["outcome"] == "ok" for r in rows) else []

    rows = poll(finished)
    assert [r["response_status"] for r in rows] == [500, 503, 200]
    assert [r["outcome"] for r in rows] == ["retried", "retried", "ok"]
    assert len({r["event"]["id"] for r in rows}) == 1
    api_rows = procore.get(
        f"/v1.0/webhooks/hooks/{hook_id}/deliveries", params={"filter[status]": "failing"}
    ).json()
    assert [r["response_status"] for r in api_rows] == [503, 500]
    ok_rows = procore.get(
        f"/v1.0/webhooks/hooks/{hook_id}/deliveries", params={"filter[status]": "successful"}
    ).json()
    assert len(ok_rows) == 1


def test_discarded_after_the_give_up_time(procore: Procore, receiver: Receiver) -> None:
    procore.control("PATCH", "/config", json={"webhook_discard_after_s": 0.1})
    receiver.statuses = [500] * 50
    hook_id = make_hook(procore, receiver, ("Project Files", "delete"))
    procore.control("DELETE", f"/act/files/{procore.lookup('Project Directory.xlsx')}")

    def discarded() -> list[dict[str, Any]]:
        rows = procore.control("GET", "/webhooks/deliveries", params={"hook_id": hook_id}).json()[
            "deliveries"
        ]
        return [r for r in rows if r["outcome"] == "discarded"]

    assert len(poll(discarded)) == 1


def test_duplicates_switch(procore: Procore, receiver: Receiver) -> None:
    procore.control("PATCH", "/config", json={"webhook_duplicates": True})
    make_hook(procore, receiver, ("Project Folders", "create"))
    procore.control("POST", "/act/folders", json={"project_id": PROJECT_ID, "name": "Twice"})
    poll(lambda: len(receiver.received) >= 2)
    first, second = (d["json"] for d in receiver.received[:2])
    assert first["ulid"] == second["ulid"] and first["id"] == second["id"]


def test_hook_api_validation_and_listing(procore: Procore, receiver: Receiver) -> None:
    bad_ns = procore.call(
        "POST",
        "/v1.0/webhooks/hooks",
        json={
            "project_id": PROJECT_ID,
            "hook": {"namespace": "Bad NS", "destination_url": receiver.url},
        },
    )
    assert bad_ns.status_code == 422 and "namespace" in bad_ns.json()["errors"]
    hook_id = make_hook(procore, receiver)
    bad_trigger = procore.call(
        "POST",
        f"/v1.0/webhooks/hooks/{hook_id}/triggers",
        json={
            "trigger": {"resource_name": "Spaceships", "event_type": "create"},
        },
    )
    assert bad_trigger.status_code == 422
    listed = procore.get("/v1.0/webhooks/hooks", params={"project_id": PROJECT_ID}).json()
    assert [h["id"] for h in listed] == [hook_id]
    assert listed[0]["destination_headers"] == SECRET
    resources = procore.get("/v1.0/webhooks/resources", params={"project_id": PROJECT_ID}).json()
    assert "Project Files" in [r["resource_name"] for r in resources]
    assert procore.call("DELETE", f"/v1.0/webhooks/hooks/{hook_id}").status_code == 204
    assert procore.get(f"/v1.0/webhooks/hooks/{hook_id}").status_code == 404
