"""How changes reach the app: duplicate and out-of-order webhook deliveries, forged ones,
notifications lost altogether (the safety net's polling still converges), and SharePoint's
change feed expiring (410 Gone: a full re-enumeration that duplicates nothing).

Procore delivers every event twice in this module (`--webhook-duplicates`), as it may.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx

from shared.graph.client import GraphClient
from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from shared.state.log import LogAction
from tests.e2e.stack import DRIVE, Stack, poll
from tests.scenarios.harness import baseline

procore_args = ("--webhook-duplicates",)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def test_duplicate_deliveries_copy_each_change_once(stack: Stack) -> None:
    s = baseline(stack, "duplicates", {"Plans": {"A.pdf": "a"}})
    s.procore_create("Plans/B.pdf", "b")
    s.procore_edit("Plans/A.pdf", "a v2")
    s.settle(
        "both changes in SharePoint",
        lambda: (
            "Plans/B.pdf" in s.sharepoint_items() and s.sharepoint_content("Plans/A.pdf") == b"a v2"
        ),
    )
    deliveries = stack.procore.call("GET", "/webhooks/deliveries")["deliveries"]
    ours = [d for d in deliveries if d["event"]["project_id"] == s.procore_project]
    ulids = [d["event"]["ulid"] for d in ours]
    assert len(ulids) > len(set(ulids)), "the emulator should have delivered duplicates"
    assert set(s.sharepoint_items()) == {"Plans", "Plans/A.pdf", "Plans/B.pdf"}
    assert len(s.sharepoint_versions("Plans/A.pdf")) == 2
    copied = [e for e in s.log() if e.action == LogAction.COPIED and e.name == "B.pdf"]
    assert len(copied) == 1
    s.assert_quiet()


def test_an_old_event_replayed_out_of_order_changes_nothing(stack: Stack) -> None:
    s = baseline(stack, "out-of-order", {"Plan.pdf": "v1"})
    s.procore_edit("Plan.pdf", "v2")
    s.settle("v2 in SharePoint", lambda: s.sharepoint_content("Plan.pdf") == b"v2")
    s.procore_edit("Plan.pdf", "v3, the latest")
    s.settle("v3 in SharePoint", lambda: s.sharepoint_content("Plan.pdf") == b"v3, the latest")
    deliveries = stack.procore.call("GET", "/webhooks/deliveries")["deliveries"]
    payload = next(
        d["event"]
        for d in deliveries
        if d["event"]["project_id"] == s.procore_project
        and d["event"]["resource_name"] == "Project Files"
    )
    stale = {**payload, "ulid": uuid.uuid4().hex[:26].upper(), "id": payload["id"] + 10_000}
    secret = stack.env["PROCORE_WEBHOOK_SECRET"]
    answer = httpx.post(
        f"{stack.app_url}/api/webhooks/procore",
        json=stale,
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert answer.status_code == 200
    s.run_pass()
    assert s.sharepoint_content("Plan.pdf") == b"v3, the latest"
    s.assert_quiet()


def test_forged_deliveries_are_refused_and_change_nothing(stack: Stack) -> None:
    s = baseline(stack, "forged", {"Plan.pdf": "v1"})
    event = {
        "id": 1,
        "ulid": uuid.uuid4().hex[:26].upper(),
        "timestamp": datetime.now(UTC).isoformat(),
        "project_id": s.procore_project,
        "company_id": s.project.company_id,
        "user_id": 1,
        "api_version": "v2.0",
        "event_type": "update",
        "resource_name": "Project Files",
        "resource_id": s.procore_id("Plan.pdf"),
        "metadata": {},
    }
    for headers in ({}, {"Authorization": "Bearer not-the-secret"}):
        answer = httpx.post(
            f"{stack.app_url}/api/webhooks/procore", json=event, headers=headers, timeout=10
        )
        assert answer.status_code == 401
    drive = s.store().drives.get(DRIVE)
    notification = {
        "value": [
            {
                "subscriptionId": drive.subscription_id,
                "clientState": "not-the-client-state",
                "changeType": "updated",
                "resource": f"drives/{DRIVE}/root",
                "tenantId": "t",
                "resourceData": {"@odata.type": "#Microsoft.Graph.DriveItem"},
            }
        ]
    }
    answer = httpx.post(f"{stack.app_url}/api/webhooks/graph", json=notification, timeout=10)
    assert answer.status_code in (200, 202)
    assert s.sharepoint_content("Plan.pdf") == b"v1"
    assert s.trees_agree()


def test_with_every_notification_lost_the_safety_net_still_converges(stack: Stack) -> None:
    s = baseline(stack, "lost-notifications", {"Plans": {"A.pdf": "a"}, "Old.pdf": "old"})
    settings = stack.settings
    store = s.store()
    project = store.projects.get(s.key)
    assert project.procore_hook_id is not None
    ProcoreClient(settings).delete_hook(
        Scope.project(project.company_id, project.project_id), project.procore_hook_id
    )
    drive = store.drives.get(DRIVE)
    assert drive.subscription_id is not None
    GraphClient(settings).delete_subscription(drive.subscription_id)
    s.quiesce()  # nothing left in flight that could bring the changes below

    s.procore_create("Plans/From Procore.pdf", "from procore")
    s.sp("create", "Plans/From SharePoint.pdf", content="from sharepoint")
    s.sp("delete", "Old.pdf")
    unchanged_until = time.monotonic() + 3
    while time.monotonic() < unchanged_until:
        assert "Plans/From Procore.pdf" not in s.sharepoint_items()
        assert "Plans/From SharePoint.pdf" not in s.procore_items()
        time.sleep(0.5)

    # The intervals have passed: the project's last pass and the drive's last pull are old.
    store.projects.modify(s.key, lambda p: p.model_copy(update={"last_pass_at": LONG_AGO}))
    store.drives.modify(DRIVE, lambda d: d.model_copy(update={"delta_link_at": LONG_AGO}))
    stack.run_timer("safety_net_poll")
    s.settle(
        "the safety net to bring both changes",
        lambda: (
            "Plans/From Procore.pdf" in s.sharepoint_items()
            and "Plans/From SharePoint.pdf" in s.procore_items()
            and "Old.pdf" not in s.procore_items()
        ),
        60,
    )
    assert s.trees_agree()
    s.assert_quiet()
    # The renewal timer notices the lost subscription and makes a new one.
    lost = drive.subscription_id
    stack.run_timer("renew_subscriptions")
    poll(
        "a new subscription for the drive",
        lambda: store.drives.get(DRIVE).subscription_id not in (None, lost),
        30,
    )


def test_an_expired_change_feed_is_enumerated_again_without_duplicates(stack: Stack) -> None:
    s = baseline(stack, "delta-410", {"Plans": {"A.pdf": "a", "B.pdf": "b"}, "C.pdf": "c"})
    resynced_at = datetime.now(UTC)
    stack.graph.call("POST", "/delta/resync", {"drive_id": DRIVE})
    s.sp("create", "Plans/New.pdf", content="new")
    s.sp("delete", "C.pdf")
    s.settle(
        "the changes after the re-enumeration",
        lambda: "Plans/New.pdf" in s.procore_items() and "C.pdf" not in s.procore_items(),
        60,
    )
    assert s.trees_agree()
    assert set(s.procore_items()) == {"Plans", "Plans/A.pdf", "Plans/B.pdf", "Plans/New.pdf"}
    assert any("410" in (e.reason or "") for e in s.log())
    writes = {(e.action, e.name) for e in s.writes_logged() if e.at >= resynced_at}
    assert (LogAction.COPIED, "New.pdf") in writes
    assert (LogAction.DELETED, "C.pdf") in writes
    assert not [n for a, n in writes if a == LogAction.COPIED and n in ("A.pdf", "B.pdf")]
    s.assert_quiet()
