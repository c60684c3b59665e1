"""Held deletes from end to end, as an administrator lives them: a project in regular sync with
a delete limit of 1 per 24 h; files deleted in SharePoint; the first delete is carried across,
the rest are held back, emailed and shown in the admin API; the administrator approves (the
held deletes reach Procore) or restores (the files come back in SharePoint)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devhost.services import Services
from tests.e2e.stack import Stack, poll, start_stack
from tests.scenarios.harness import ROOT, Synced, baseline

pytestmark = pytest.mark.integration

TREE = {
    "Plans": {
        "A-101.pdf": "a101",
        "A-102.pdf": "a102",
        "A-103.pdf": "a103",
        "A-104.pdf": "a104",
        "A-105.pdf": "a105",
    },
    "Specs": {"Div 03.pdf": "concrete", "Div 05.pdf": "metals", "Div 09.pdf": "finishes"},
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Services() as services:
        azurite = services.start_azurite()
        started = start_stack(services, azurite, tmp_path_factory.mktemp("graph-cert"))
        started.graph.act(action="create", path=f"/{ROOT}", folder=True)
        yield started


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    key = stack.env["ADMIN_FUNCTION_KEY"]
    with httpx.Client(
        base_url=stack.app_url, headers={"x-functions-key": key}, timeout=60
    ) as client:
        yield client


def emails(stack: Stack, subject: str) -> list[dict[str, Any]]:
    return [m["message"] for m in stack.graph.mailbox() if m["message"]["subject"] == subject]


def held_back(s: Synced, api: httpx.Client, count: int) -> dict[str, Any]:
    """Wait until the project shows `count` held deletes; the project as shown."""

    def probe() -> dict[str, Any] | None:
        shown = api.get(f"/api/projects/{s.key}").json()
        return shown if shown["held_deletes"]["count"] == count else None

    return poll(f"{count} held deletes", probe, 60)


def test_approved_held_deletes_reach_procore(stack: Stack, api: httpx.Client) -> None:
    s = baseline(stack, "Held Approve", TREE, delete_limit=1)
    for name in ("A-101.pdf", "A-102.pdf", "A-103.pdf"):
        s.sp("delete", f"Plans/{name}")

    shown = held_back(s, api, 2)
    subject = "Deletes held back for project Held Approve"
    poll("the held-deletes email", lambda: emails(stack, subject), 60)
    shown = api.get(f"/api/projects/{s.key}").json()  # the pass writes its log lines last
    body = emails(stack, subject)[0]["body"]["content"]
    held_paths = sorted(h["path"] for h in shown["held_deletes"]["items"])
    assert len(held_paths) == 2
    for path in held_paths:
        assert f"{path} (deleted in SharePoint)" in body
    assert "delete limit is 1 per 24 hours" in body
    remaining = {p for p in s.procore_items() if p.startswith("Plans/")}
    assert remaining == {"Plans/A-104.pdf", "Plans/A-105.pdf", *held_paths}
    skipped = [e for e in shown["recent_activity"] if e["action"] == "skipped"]
    assert sorted(e["path"] for e in skipped) == held_paths
    assert all("held back by the delete limit" in e["reason"] for e in skipped)

    answered = api.post(f"/api/projects/{s.key}/deletes/approve")
    assert answered.status_code == 202, answered.text
    assert answered.json()["deletes_decision"] == "approve"

    def gone() -> bool:
        return {p for p in s.procore_items() if p.startswith("Plans/")} == {
            "Plans/A-104.pdf",
            "Plans/A-105.pdf",
        }

    s.settle("the approved deletes in Procore", gone)
    after = held_back(s, api, 0)
    assert after["deletes_decision"] is None
    assert len(emails(stack, subject)) == 1


def test_restored_held_deletes_come_back_in_sharepoint(stack: Stack, api: httpx.Client) -> None:
    s = baseline(stack, "Held Restore", TREE, delete_limit=1)
    for name in ("Div 03.pdf", "Div 05.pdf", "Div 09.pdf"):
        s.sp("delete", f"Specs/{name}")

    shown = held_back(s, api, 2)
    held_paths = sorted(h["path"] for h in shown["held_deletes"]["items"])
    answered = api.post(f"/api/projects/{s.key}/deletes/restore")
    assert answered.status_code == 202, answered.text

    def back() -> bool:
        return set(held_paths) <= set(s.sharepoint_items())

    s.settle("the restored files in SharePoint", back)
    for path in held_paths:
        assert s.sharepoint_content(path) == s.procore_content(path)
    after = held_back(s, api, 0)
    assert after["deletes_decision"] is None
    again = api.post(f"/api/projects/{s.key}/deletes/restore")
    assert again.status_code == 409
    assert "holds no deletes back" in again.json()["error"]


def test_a_safety_stop_is_emailed_shown_and_answered_by_approval(
    stack: Stack, api: httpx.Client
) -> None:
    s = baseline(stack, "Held Stop", TREE)
    s.sp("delete", "Plans")

    def stopped() -> dict[str, Any] | None:
        shown = api.get(f"/api/projects/{s.key}").json()
        return shown if shown["phase"] == "error" else None

    shown = poll("the safety stop", stopped, 60)
    assert "would be deleted at once" in shown["stopped_reason"]
    assert shown["held_deletes"]["count"] == 6
    assert "Plans/A-101.pdf" in s.procore_items()
    subject = "Sync stopped for project Held Stop"
    poll("the safety-stop email", lambda: emails(stack, subject), 60)
    body = emails(stack, subject)[0]["body"]["content"]
    assert f"Reason: {shown['stopped_reason']}" in body
    assert "Plans/A-101.pdf (deleted in SharePoint)" in body

    refused = api.post(f"/api/projects/{s.key}/resume")
    assert refused.status_code == 409
    assert "holds 6 delete(s) back" in refused.json()["error"]

    answered = api.post(f"/api/projects/{s.key}/deletes/approve")
    assert answered.status_code == 202, answered.text
    assert (answered.json()["phase"], answered.json()["stopped_reason"]) == ("regular", None)

    def gone() -> bool:
        return not any(p.startswith("Plans") for p in s.procore_items())

    s.settle("the approved deletes in Procore", gone)
    after = held_back(s, api, 0)
    assert (after["phase"], after["deletes_decision"], after["last_error"]) == (
        "regular",
        None,
        None,
    )
