"""The alert emails end to end: the notification step over Azurite and the Graph emulator's
sendMail. Given a project with held deletes (or stopped by a safety stop), when its `Notify`
message is delivered twice (one after the other, or at the same moment), then exactly one email
is in the mailbox, to the project's recipients and the administrators, and the project
remembers it."""

from __future__ import annotations

import contextlib
import itertools
import ssl
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ResourceExistsError

from devhost.services import Azurite, Services
from devhost.stack import app_environment
from shared import runtime
from shared.config import get_settings
from shared.errors import ApiError
from shared.notify.send import send
from shared.queues import NOTIFY, Notify
from shared.state import StateStore
from shared.state.log import LogAction
from shared.state.pending import HeldDelete
from shared.state.projects import Phase, Project
from shared.storage import queue_service

pytestmark = pytest.mark.integration

COMPANY = 4300000001
ADMIN = "it-admin@contoso.example"
RECIPIENT = "pm@contoso.example"
SENDER = "sync@contoso.example"


@dataclass
class World:
    graph: httpx.Client
    project_ids: Iterator[int]

    @property
    def store(self) -> StateStore:
        return runtime.state_store()

    def project(self, name: str, **changes: object) -> Project:
        project = Project.model_validate(
            {
                "company_id": COMPANY,
                "project_id": next(self.project_ids),
                "project_name": name,
                "site_id": "site",
                "drive_id": "b!documents-construction",
                "folder_path": name,
                "phase": Phase.REGULAR,
                "recipients": [RECIPIENT],
                "delete_limit": 2,
                **changes,
            }
        )
        return self.store.projects.create(project)

    def hold(self, project: Project, paths: list[str]) -> None:
        self.store.held.hold(
            project.key,
            [
                HeldDelete(
                    procore_id=4300700000 + n,
                    sharepoint_id=f"01ALERT{n}",
                    deleted_on="sharepoint",
                    name=path.rsplit("/", 1)[-1],
                    path=path,
                    held_at=datetime.now(UTC),
                )
                for n, path in enumerate(paths)
            ],
        )

    def emails(self, subject: str) -> list[dict[str, Any]]:
        answer = self.graph.get("/_emulator/mailbox", params={"address": SENDER})
        assert answer.status_code == 200, answer.text
        return [m["message"] for m in answer.json() if m["message"]["subject"] == subject]

    def notes(self, project: Project) -> list[str]:
        return [
            str(e.detail)
            for e in self.store.log.recent(project.key, 20)
            if e.action == LogAction.INFO
        ]


@pytest.fixture(scope="module")
def graph_emulator(
    services: Services, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    cert_dir = tmp_path_factory.mktemp("alert-graph-cert")
    cert = str(cert_dir / "graph-emulator-cert.pem")
    process, url = services.start_python_server(
        "graph",
        "emulators.graph",
        ["--cert-dir", str(cert_dir), "--seed", "demo"],
        ready_path="/_emulator/health",
        scheme="https",
        verify=cert,
    )
    yield url, cert
    process.stop()


@pytest.fixture
def world(
    azurite: Azurite, graph_emulator: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    url, cert = graph_emulator
    env = app_environment(
        azurite,
        TABLE_PREFIX="alr" + uuid.uuid4().hex[:12],
        GRAPH_AUTHORITY_HOST=url,
        GRAPH_API_URL=f"{url}/v1.0",
        GRAPH_CA_BUNDLE=cert,
        NOTIFY_ADMIN_RECIPIENTS=ADMIN,
        PUBLIC_BASE_URL="https://sync.contoso.example",
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    trust = ssl.create_default_context(cafile=cert)
    with httpx.Client(base_url=url, verify=trust, timeout=30) as graph:
        yield World(graph=graph, project_ids=itertools.count(4300000301))
        graph.delete("/_emulator/faults")
    runtime.reset()


def test_a_held_deletes_alert_delivered_twice_sends_one_email(world: World) -> None:
    project = world.project("Harbor Annex")
    world.hold(project, ["Drawings/A-101.pdf", "Drawings/Old", "Specs/spec <1>.pdf"])
    message = Notify(project_key=project.key, kind="deletes_held", run_id="held-run-1")

    send(message)
    send(message)

    emails = world.emails("Deletes held back for project Harbor Annex")
    assert len(emails) == 1
    email = emails[0]
    assert [r["emailAddress"]["address"] for r in email["toRecipients"]] == [RECIPIENT, ADMIN]
    assert email["body"]["contentType"].lower() == "html"
    content = email["body"]["content"]
    assert "3 delete(s) in project Harbor Annex" in content
    assert "the project&#x27;s delete limit is 2 per 24 hours" in content
    assert "Drawings/A-101.pdf (deleted in SharePoint)" in content
    assert "Specs/spec &lt;1&gt;.pdf (deleted in SharePoint)" in content
    approve = f"POST https://sync.contoso.example/api/projects/{project.key}/deletes/approve"
    assert approve in content

    row = world.store.projects.get(project.key)
    assert row.alerted_run_ids == ["held-run-1"]
    assert (row.alerting_run_id, row.alerting_until) == (None, None)
    assert world.notes(project) == ["held-deletes email sent to 2 recipient(s)"]


def test_two_deliveries_at_the_same_moment_send_one_email(world: World) -> None:
    project = world.project("Pier Offices")
    world.hold(project, ["Photos/old.jpg"])
    message = Notify(project_key=project.key, kind="deletes_held", run_id="held-run-2")
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def deliver() -> None:
        start.wait()
        try:
            send(message)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(world.emails("Deletes held back for project Pier Offices")) == 1
    assert world.store.projects.get(project.key).alerted_run_ids == ["held-run-2"]


def test_a_failed_send_leaves_no_claim_so_the_redelivery_sends_it(world: World) -> None:
    project = world.project("Dock Street")
    world.hold(project, ["Drawings/S-201.pdf"])
    fault = world.graph.post(
        "/_emulator/faults",
        json={"kind": "unavailable", "count": 1, "path_prefix": "/v1.0/users"},
    )
    assert fault.status_code < 300, fault.text
    message = Notify(project_key=project.key, kind="deletes_held", run_id="held-run-3")

    with pytest.raises(ApiError):
        send(message)
    assert world.emails("Deletes held back for project Dock Street") == []
    row = world.store.projects.get(project.key)
    assert (row.alerted_run_ids, row.alerting_run_id) == ([], None)

    send(message)
    send(message)
    assert len(world.emails("Deletes held back for project Dock Street")) == 1


def test_a_safety_stop_alert_is_sent_once_and_a_new_run_again(world: World) -> None:
    reason = "the mapped project folder was deleted in SharePoint"
    project = world.project(
        "Canal Works", phase=Phase.ERROR, stopped_reason=reason, last_error=reason
    )
    first = Notify(project_key=project.key, kind="sync_stopped", run_id="stop-run-1")
    send(first)
    send(first)
    subject = "Sync stopped for project Canal Works"
    emails = world.emails(subject)
    assert len(emails) == 1
    assert f"Reason: {reason}" in emails[0]["body"]["content"]
    assert "No deletes are held back" in emails[0]["body"]["content"]

    send(Notify(project_key=project.key, kind="sync_stopped", run_id="stop-run-2"))
    assert len(world.emails(subject)) == 2
    assert world.store.projects.get(project.key).alerted_run_ids == ["stop-run-1", "stop-run-2"]


def test_an_alert_answered_before_it_was_sent_is_not_sent(world: World) -> None:
    project = world.project("Mill Yard")
    send(Notify(project_key=project.key, kind="deletes_held", run_id="held-run-4"))
    send(Notify(project_key=project.key, kind="sync_stopped", run_id="stop-run-4"))
    assert world.emails("Deletes held back for project Mill Yard") == []
    assert world.emails("Sync stopped for project Mill Yard") == []
    assert world.notes(project) == [
        "safety-stop email not sent: the safety stop was answered meanwhile",
        "held-deletes email not sent: no deletes are held back any more",
    ]
    assert world.store.projects.get(project.key).alerted_run_ids == ["held-run-4", "stop-run-4"]


def test_an_alert_waits_while_another_alert_of_the_project_is_being_sent(world: World) -> None:
    project = world.project("Ropewalk")
    world.hold(project, ["Drawings/R-1.pdf"])
    until = datetime.now(UTC) + timedelta(minutes=2)
    world.store.projects.modify(
        project.key,
        lambda p: p.model_copy(update={"alerting_run_id": "other-run", "alerting_until": until}),
    )
    notify_queue = queue_service(get_settings()).get_queue_client(NOTIFY)
    with contextlib.suppress(ResourceExistsError):
        notify_queue.create_queue()
    before = notify_queue.get_queue_properties().approximate_message_count or 0

    send(Notify(project_key=project.key, kind="deletes_held", run_id="held-run-5"))

    assert world.emails("Deletes held back for project Ropewalk") == []
    assert notify_queue.get_queue_properties().approximate_message_count == before + 1
    row = world.store.projects.get(project.key)
    assert (row.alerting_run_id, row.alerted_run_ids) == ("other-run", [])
