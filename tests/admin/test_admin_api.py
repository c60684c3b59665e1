"""The admin API over real HTTP: devhost serving the admin blueprint, Azurite, and both
emulators (Procore's and Graph's demo seeds). One stack for the module; each test uses Procore
projects and SharePoint folders of its own, made through the emulators' control APIs."""

from __future__ import annotations

import itertools
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from azure.storage.queue import QueueServiceClient

from devhost.services import Azurite, Services
from devhost.stack import app_environment, await_message, start_devhost
from shared.admin.access import PROBE_PREFIX
from shared.config import load_settings
from shared.queues import ProjectTick, SyncStart
from shared.state import StateStore
from shared.state.items import ItemBase, ItemKind
from shared.state.pending import HeldDelete
from shared.state.projects import Phase
from shared.storage import queue_service

pytestmark = pytest.mark.integration

FUNCTION_KEY = "admin-test-function-key"
COMPANY = 4300000001
DEMO_PROJECT = 4300000101
NOT_PERMITTED = 4300000102
HOST = "contoso.sharepoint.com"
SITE_PATH = "/sites/Construction"
LIBRARY = "Documents"
DRIVE = "b!documents-construction"


@dataclass
class Stack:
    api: httpx.Client
    procore: httpx.Client
    graph: httpx.Client
    store: StateStore
    queues: QueueServiceClient
    project_ids: Iterator[int]

    def new_procore_project(self, name: str) -> int:
        """A permitted Procore project of the test's own, with a small Documents tree."""
        project_id = next(self.project_ids)
        seeded = self.procore.post(
            "/_emulator/seed",
            json={
                "projects": [
                    {
                        "id": project_id,
                        "name": name,
                        "permitted": True,
                        "documents": {"Drawings": {"A-101.pdf": 2000}},
                    }
                ]
            },
        )
        assert seeded.status_code == 201, seeded.text
        return project_id

    def new_folder(self, path: str, files: dict[str, str] | None = None) -> str:
        """A folder at `path` in the Documents library (with `files` in it); its item id."""
        tree: dict[str, Any] = dict(files or {})
        for segment in reversed(path.split("/")):
            tree = {segment: tree}
        seeded = self.graph.post(f"/_emulator/drives/{DRIVE}/seed", json={"tree": tree})
        assert seeded.status_code < 300, seeded.text
        return str(seeded.json()["items"]["/" + path])

    def drive_paths(self) -> set[str]:
        answer = self.graph.get(f"/_emulator/drives/{DRIVE}/tree")
        assert answer.status_code == 200, answer.text
        return {str(entry["path"]) for entry in answer.json()}

    def recycled_names(self) -> list[str]:
        answer = self.graph.get(f"/_emulator/drives/{DRIVE}/recycle-bin")
        assert answer.status_code == 200, answer.text
        return [str(entry["name"]) for entry in answer.json()]

    def start_message(self, key: str, run_id: str) -> SyncStart:
        return await_message(
            self.queues,
            SyncStart,
            lambda m: m.project_key == key and m.run_id == run_id,
            deadline_s=10,
        )


def body(project_id: int, folder: str, **extra: Any) -> dict[str, Any]:
    return {
        "procore_company_id": COMPANY,
        "procore_project_id": project_id,
        "sharepoint": {
            "site_hostname": HOST,
            "site_path": SITE_PATH,
            "library": LIBRARY,
            "folder_path": folder,
        },
        **extra,
    }


@pytest.fixture(scope="module")
def stack(
    services: Services, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    cert_dir = tmp_path_factory.mktemp("admin-graph-cert")
    cert = cert_dir / "graph-emulator-cert.pem"
    procore_process, procore_url = services.start_python_server(
        "procore",
        "emulators.procore",
        ["--seed", "demo", "--log-level", "WARNING"],
        ready_path="/_emulator/health",
    )
    graph_process, graph_url = services.start_python_server(
        "graph",
        "emulators.graph",
        ["--cert-dir", str(cert_dir), "--seed", "demo"],
        ready_path="/_emulator/health",
        scheme="https",
        verify=str(cert),
    )
    env = app_environment(
        azurite,
        TABLE_PREFIX="adm" + uuid.uuid4().hex[:12],
        PROCORE_AUTH_URL=procore_url,
        PROCORE_API_URL=procore_url,
        GRAPH_AUTHORITY_HOST=graph_url,
        GRAPH_API_URL=f"{graph_url}/v1.0",
        GRAPH_CA_BUNDLE=str(cert),
        ADMIN_FUNCTION_KEY=FUNCTION_KEY,
    )
    devhost, app_url = start_devhost(services, env, app="tests.admin.admin_app:app")
    settings = load_settings(**{k: v for k, v in env.items() if v != ""})
    trust = ssl.create_default_context(cafile=str(cert))
    with (
        httpx.Client(
            base_url=app_url, headers={"x-functions-key": FUNCTION_KEY}, timeout=60
        ) as api,
        httpx.Client(base_url=procore_url, timeout=30) as procore,
        httpx.Client(base_url=graph_url, verify=trust, timeout=30) as graph,
    ):
        yield Stack(
            api=api,
            procore=procore,
            graph=graph,
            store=StateStore.from_settings(settings),
            queues=queue_service(settings),
            project_ids=itertools.count(4300000201),
        )
    for process in (devhost, graph_process, procore_process):
        process.stop()


def no_emulator_errors(stack: Stack) -> None:
    assert stack.procore.get("/_emulator/counters").json()["emulator_errors"] == 0


# --- connect -----------------------------------------------------------------------------------


def test_connecting_the_demo_project_stores_it_and_queues_its_initial_sync(stack: Stack) -> None:
    folder_id = stack.new_folder("Projects/Harbor View")
    before = stack.drive_paths()
    answer = stack.api.post(
        "/api/projects",
        json=body(
            DEMO_PROJECT,
            "Projects/Harbor View",
            recipients=["pat@contoso.example"],
            tools=["documents", "photos", "rfis"],
        ),
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    shown = answer.json()
    key = f"{COMPANY}-{DEMO_PROJECT}"
    assert shown["key"] == key
    assert shown["name"] == "Harbor View Tower"
    assert shown["phase"] == "initial_sync"
    assert shown["sharepoint"]["folder_id"] == folder_id
    notes = [line["detail"] for line in shown["recent_log"] if line["action"] == "info"]
    assert notes[0].startswith(f"connected to {HOST}{SITE_PATH} / {LIBRARY} / Projects/Harbor View")

    row = stack.store.projects.get(key)
    assert row.phase == Phase.INITIAL_SYNC
    assert row.project_name == "Harbor View Tower"
    assert row.folder_item_id == folder_id
    assert row.drive_id == DRIVE
    assert row.site_id.startswith("contoso.sharepoint.com,")
    assert row.tools == ["documents", "photos", "rfis"]
    assert row.tool_folders == {"documents": "Documents", "photos": "Photos", "rfis": "RFIs"}
    assert row.recipients == ["pat@contoso.example"]
    assert row.initial_run_id == shown["run_id"]

    message = stack.start_message(key, str(row.initial_run_id))
    assert message == SyncStart(project_key=key, run_id=str(row.initial_run_id))

    # The write probe went into the folder and out again, to the recycle bin.
    assert stack.drive_paths() == before
    assert any(name.startswith(PROBE_PREFIX) for name in stack.recycled_names())
    no_emulator_errors(stack)


def test_a_bad_body_lists_every_field_error(stack: Stack) -> None:
    bad = body(DEMO_PROJECT, "Projects/Bad|Name", tools=["documents", "blueprints"])
    bad["procore_company_id"] = "forty-two"
    bad["sharepoint"]["site_path"] = "sites/Construction"
    bad["recipients"] = ["nobody"]
    bad["extra"] = True
    answer = stack.api.post("/api/projects", json=bad)
    assert answer.status_code == 400, answer.text
    refused = answer.json()
    assert refused["error"] == "invalid request"
    assert {f["field"] for f in refused["fields"]} == {
        "procore_company_id",
        "tools[1]",
        "recipients[0]",
        "extra",
        "sharepoint.site_path",
        "sharepoint.folder_path",
    }
    assert all(f["message"] for f in refused["fields"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON: "),
        (b"", "a JSON object is required"),
        (b"[]", "a JSON object is required, got an array"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    stack: Stack, content: bytes, message: str
) -> None:
    answer = stack.api.post(
        "/api/projects", content=content, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["fields"][0]["field"] == "body"
    assert answer.json()["fields"][0]["message"].startswith(message)


def test_a_second_mapping_and_an_overlapping_folder_are_conflicts(stack: Stack) -> None:
    first = stack.new_procore_project("Pier 9 Warehouse")
    second = stack.new_procore_project("Pier 9 Annex")
    stack.new_folder("Pier 9/Warehouse")
    stack.new_folder("Pier 9/Annex")
    assert stack.api.post("/api/projects", json=body(first, "Pier 9/Warehouse")).status_code == 201
    first_key = f"{COMPANY}-{first}"

    duplicate = stack.api.post("/api/projects", json=body(first, "Pier 9/Annex"))
    assert duplicate.status_code == 409
    assert duplicate.json()["error"].startswith(f"Procore project {first} is already connected")

    overlapping = stack.api.post("/api/projects", json=body(second, "pier 9"))
    assert overlapping.status_code == 409
    assert f"project {first_key} (Pier 9 Warehouse)" in overlapping.json()["error"]
    assert stack.store.projects.find(f"{COMPANY}-{second}") is None

    assert stack.api.post("/api/projects", json=body(second, "Pier 9/Annex")).status_code == 201
    for project in (first, second):
        key = f"{COMPANY}-{project}"
        stack.start_message(key, str(stack.store.projects.get(key).initial_run_id))


def test_a_project_the_app_is_not_permitted_on_is_refused(stack: Stack) -> None:
    stack.new_folder("Riverside")
    answer = stack.api.post("/api/projects", json=body(NOT_PERMITTED, "Riverside"))
    assert answer.status_code == 422, answer.text
    assert answer.json() == {
        "error": "access check failed (procore)",
        "checks": {
            "procore": f"the Procore app is not permitted on project {NOT_PERMITTED} in "
            f"company {COMPANY} (add it to the app's permitted projects)"
        },
    }
    assert stack.store.projects.find(f"{COMPANY}-{NOT_PERMITTED}") is None


def test_a_folder_that_does_not_exist_is_refused_and_not_created(stack: Stack) -> None:
    project = stack.new_procore_project("Canal Street Lofts")
    answer = stack.api.post("/api/projects", json=body(project, "Canal Street/Lofts"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["checks"] == {
        "sharepoint": f"folder not found: 'Canal Street/Lofts' in library '{LIBRARY}' on "
        f"{HOST}{SITE_PATH} (create it first; connecting never creates it)"
    }
    assert not any(path.startswith("/Canal Street") for path in stack.drive_paths())


def test_both_sides_failures_are_stated_together(stack: Stack) -> None:
    answer = stack.api.post(
        "/api/projects",
        json={
            **body(NOT_PERMITTED, "Nowhere"),
            "sharepoint": {
                "site_hostname": HOST,
                "site_path": "/sites/Nowhere",
                "library": LIBRARY,
                "folder_path": "Nowhere",
            },
        },
    )
    assert answer.status_code == 422, answer.text
    checks = answer.json()["checks"]
    assert set(checks) == {"procore", "sharepoint"}
    assert checks["sharepoint"] == f"SharePoint site {HOST}/sites/Nowhere not found"


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/projects"),
        ("GET", "/api/projects"),
        ("GET", "/api/projects/1-2"),
        ("POST", "/api/projects/1-2/pause"),
        ("POST", "/api/projects/1-2/resume"),
        ("POST", "/api/projects/1-2/resync"),
        ("POST", "/api/projects/1-2/deletes/approve"),
        ("POST", "/api/projects/1-2/deletes/restore"),
        ("DELETE", "/api/projects/1-2"),
    ],
)
def test_calls_without_the_function_key_are_refused(stack: Stack, method: str, path: str) -> None:
    url = str(stack.api.base_url).rstrip("/") + path
    with httpx.Client(timeout=30) as keyless:
        assert keyless.request(method, url).status_code == 401
        assert keyless.request(method, url, headers={"x-functions-key": "wrong"}).status_code == 401
        assert keyless.request(method, url, params={"code": FUNCTION_KEY}).status_code != 401


# --- list, show, pause, resume, re-run, disconnect ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/projects/4300000001-999"),
        ("POST", "/api/projects/4300000001-999/pause"),
        ("POST", "/api/projects/4300000001-999/resume"),
        ("POST", "/api/projects/4300000001-999/resync"),
        ("POST", "/api/projects/4300000001-999/deletes/approve"),
        ("POST", "/api/projects/4300000001-999/deletes/restore"),
        ("DELETE", "/api/projects/4300000001-999"),
        ("GET", "/api/projects/not-a-key"),
    ],
)
def test_an_unknown_project_is_404(stack: Stack, method: str, path: str) -> None:
    answer = stack.api.request(method, path)
    assert answer.status_code == 404
    assert answer.json() == {"error": f"no project {path.split('/')[3]}"}


def test_a_project_through_its_life(stack: Stack) -> None:
    project = stack.new_procore_project("Northgate Clinic")
    stack.new_folder("Northgate", files={"Existing plan.pdf": "kept as it is"})
    created = stack.api.post("/api/projects", json=body(project, "Northgate"))
    assert created.status_code == 201, created.text
    key = f"{COMPANY}-{project}"
    first_run = created.json()["run_id"]
    stack.start_message(key, first_run)

    listed = stack.api.get("/api/projects")
    assert listed.status_code == 200
    entry = next(p for p in listed.json()["projects"] if p["key"] == key)
    assert entry["name"] == "Northgate Clinic"
    assert entry["phase"] == "initial_sync"
    assert entry["sharepoint"]["folder_path"] == "Northgate"
    assert entry["counters"]["files_copied"] == 0

    shown = stack.api.get(f"/api/projects/{key}")
    assert shown.status_code == 200
    assert shown.json()["timestamps"]["created_at"] is not None

    paused = stack.api.post(f"/api/projects/{key}/pause")
    assert paused.status_code == 200
    assert (paused.json()["phase"], paused.json()["paused_from"]) == ("paused", "initial_sync")
    assert stack.api.post(f"/api/projects/{key}/pause").status_code == 200
    assert stack.store.projects.get(key).phase == Phase.PAUSED

    resync_paused = stack.api.post(f"/api/projects/{key}/resync")
    assert resync_paused.status_code == 409
    assert "is paused" in resync_paused.json()["error"]

    resumed = stack.api.post(f"/api/projects/{key}/resume")
    assert resumed.status_code == 200
    assert resumed.json()["phase"] == "initial_sync"
    again = stack.api.post(f"/api/projects/{key}/resume")
    assert again.status_code == 409
    assert again.json()["error"] == (
        f"project {key} is not paused (phase initial_sync); nothing to resume"
    )
    assert stack.store.projects.get(key).phase == Phase.INITIAL_SYNC

    running = stack.api.post(f"/api/projects/{key}/resync")
    assert running.status_code == 409
    assert f"already running its initial sync (run {first_run})" in running.json()["error"]
    unclear = stack.api.post(f"/api/projects/{key}/resync", params={"force": "perhaps"})
    assert unclear.status_code == 400
    assert unclear.json()["fields"] == [{"field": "force", "message": "must be true or false"}]

    forced = stack.api.post(f"/api/projects/{key}/resync", params={"force": "true"})
    assert forced.status_code == 202, forced.text
    second_run = forced.json()["run_id"]
    assert second_run != first_run
    assert stack.store.projects.get(key).initial_run_id == second_run
    stack.start_message(key, second_run)

    for n in range(3):
        stack.store.items.save(
            ItemBase(
                project_key=key,
                kind=ItemKind.FILE,
                procore_id=4300900000 + n,
                sharepoint_id=f"01NORTHGATE{n}",
                procore_name=f"plan {n}.pdf",
                sharepoint_name=f"plan {n}.pdf",
                path=f"plan {n}.pdf",
                synced_at=stack.store.projects.clock(),
            )
        )
    shown_log = stack.api.get(f"/api/projects/{key}").json()["recent_log"]
    log = [line["detail"] for line in shown_log if line["action"] == "info"]
    assert log[0] == f"initial sync run {second_run} queued (forced)"
    assert len(log) == 4

    before = stack.drive_paths()
    gone = stack.api.delete(f"/api/projects/{key}")
    assert gone.status_code == 204
    assert gone.content == b""
    assert stack.store.projects.find(key) is None
    assert list(stack.store.items.list_items(key)) == []
    assert stack.drive_paths() == before
    assert "/Northgate/Existing plan.pdf" in before
    assert stack.api.get(f"/api/projects/{key}").status_code == 404
    assert stack.api.delete(f"/api/projects/{key}").status_code == 404
    assert key not in {p["key"] for p in stack.api.get("/api/projects").json()["projects"]}
    no_emulator_errors(stack)


# --- held deletes and safety stops -----------------------------------------------------------


def test_a_safety_stop_is_shown_refuses_a_resume_and_is_answered_by_restore(stack: Stack) -> None:
    project = stack.new_procore_project("Quayside Depot")
    stack.new_folder("Quayside")
    created = stack.api.post("/api/projects", json=body(project, "Quayside"))
    assert created.status_code == 201, created.text
    key = f"{COMPANY}-{project}"
    stack.start_message(key, created.json()["run_id"])

    nothing = stack.api.post(f"/api/projects/{key}/deletes/approve")
    assert nothing.status_code == 409
    assert nothing.json() == {
        "error": f"project {key} holds no deletes back; there is nothing to approve"
    }

    reason = "3 of 4 synced items would be deleted at once (more than 50%); nothing was written"
    now = stack.store.projects.clock()
    stack.store.held.hold(
        key,
        [
            HeldDelete(
                procore_id=4300800000 + n,
                sharepoint_id=f"01QUAY{n}",
                deleted_on="sharepoint",
                name=f"bay {n}.pdf",
                path=f"Drawings/bay {n}.pdf",
                held_at=now,
            )
            for n in range(3)
        ],
    )
    stack.store.projects.modify(
        key,
        lambda p: p.model_copy(
            update={"phase": Phase.ERROR, "stopped_reason": reason, "last_error": reason}
        ),
    )

    shown = stack.api.get(f"/api/projects/{key}").json()
    assert (shown["phase"], shown["stopped_reason"]) == ("error", reason)
    assert shown["held_deletes"]["count"] == 3
    assert [h["path"] for h in shown["held_deletes"]["items"]] == [
        "Drawings/bay 0.pdf",
        "Drawings/bay 1.pdf",
        "Drawings/bay 2.pdf",
    ]
    assert {h["deleted_on"] for h in shown["held_deletes"]["items"]} == {"sharepoint"}
    assert shown["pending"] == {"count": 0, "items": []}
    assert shown["deletes_decision"] is None

    refused = stack.api.post(f"/api/projects/{key}/resume")
    assert refused.status_code == 409
    assert f"/api/projects/{key}/deletes/restore" in refused.json()["error"]

    answered = stack.api.post(f"/api/projects/{key}/deletes/restore")
    assert answered.status_code == 202, answered.text
    assert answered.json()["phase"] == "regular"
    assert answered.json()["deletes_decision"] == "restore"
    assert answered.json()["stopped_reason"] is None
    tick = await_message(stack.queues, ProjectTick, lambda m: m.project_key == key, deadline_s=10)
    assert tick.reason == "deletes_restore"
    row = stack.store.projects.get(key)
    assert (row.phase, row.deletes_decision, row.stopped_reason, row.last_error) == (
        Phase.REGULAR,
        "restore",
        None,
        None,
    )
