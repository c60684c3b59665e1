"""The local stack the demo, the benchmarks and the end-to-end tests run the app on.

Azurite, the app under devhost, and the emulators, all on free ports, with the app's settings
taken from `local.settings.example.json` and pointed at what was started; plus small clients of
the emulators' control APIs, through which the world is built as users on each side would.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueServiceClient, TextBase64DecodePolicy

from devhost.services import REPO_ROOT, Azurite, Process, Services, free_port
from shared.config import Settings, load_settings
from shared.queues import QueueMessage, QueueSender, SyncStart, parse
from shared.state import StateStore
from shared.state.projects import Phase, Project
from shared.storage import queue_service

M = TypeVar("M", bound=QueueMessage)
T = TypeVar("T")

EXAMPLE_SETTINGS = REPO_ROOT / "local.settings.example.json"
DEVHOST_READY_PATH = "/admin/host/status"


def example_settings() -> dict[str, str]:
    """Every app setting with its working local value (local.settings.example.json)."""
    values = json.loads(EXAMPLE_SETTINGS.read_text())["Values"]
    return {key: str(value) for key, value in values.items()}


def app_environment(azurite: Azurite, **overrides: str) -> dict[str, str]:
    """Environment for a process running the app: the example settings, storage on `azurite`."""
    env = example_settings()
    env["AzureWebJobsStorage"] = azurite.connection_string
    env.update(overrides)
    return env


def start_devhost(
    services: Services,
    env: dict[str, str],
    app: str = "function_app:app",
    host_json: Path | None = None,
    extra_args: tuple[str, ...] = (),
    port: int | None = None,
) -> tuple[Process, str]:
    """Run the app under devhost; returns the process and its base URL."""
    args = ["--app", app, *extra_args]
    if host_json is not None:
        args += ["--host-json", str(host_json)]
    return services.start_python_server(
        "devhost", "devhost", args, ready_path=DEVHOST_READY_PATH, env=env, port=port
    )


def await_message(
    service: QueueServiceClient,
    model: type[M],
    match: Callable[[M], bool],
    deadline_s: float = 30,
) -> M:
    """Read `model.queue` until a message matching `match` arrives (consuming what it reads).

    For queues no function is triggered by (e.g. ping replies). Polls with a deadline.
    """
    client = service.get_queue_client(model.queue, message_decode_policy=TextBase64DecodePolicy())
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            received = list(client.receive_messages(max_messages=32, visibility_timeout=5))
        except ResourceNotFoundError:
            received = []
        for message in received:
            client.delete_message(message)
            parsed = parse(model, message.content)
            if match(parsed):
                return parsed
        if not received:
            time.sleep(0.02)
    raise TimeoutError(f"no matching {model.__name__} on {model.queue} within {deadline_s} s")


DRIVE = "b!documents-construction"
SITE = (
    "contoso.sharepoint.com,11111111-1111-1111-1111-111111111111,"
    "22222222-2222-2222-2222-222222222222"
)
COMPANY = 4300000001


def poll(
    what: str, probe: Callable[[], T | None], deadline_s: float = 120, every_s: float = 0.2
) -> T:
    """Call `probe` until it returns something truthy, or fail naming `what`."""
    deadline = time.monotonic() + deadline_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every_s)
    raise AssertionError(f"timed out after {deadline_s:.0f} s waiting for {what} (last: {last!r})")


class ProcoreSide:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=f"{base_url}/_emulator", timeout=30)

    def call(self, method: str, route: str, body: Any = None, **params: Any) -> Any:
        response = self.http.request(method, route, json=body, params=params or None)
        assert response.status_code < 300, (
            f"{method} {route}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def seed_project(
        self,
        project_id: int,
        name: str,
        documents: dict[str, Any],
        photos: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "projects": [
                {
                    "id": project_id,
                    "name": name,
                    "permitted": True,
                    "documents": documents,
                    "photos": photos or {},
                }
            ]
        }
        if not self.call("GET", "/health"):
            raise AssertionError("procore emulator down")
        result = self.call("POST", "/seed", spec)
        return dict(result["projects"][str(project_id)])

    def tree(self, project_id: int) -> list[dict[str, Any]]:
        return [
            i
            for i in self.call("GET", f"/projects/{project_id}/tree")["items"]
            if not i.get("is_deleted")
        ]

    def content(self, file_id: int) -> bytes:
        response = self.http.get(f"/files/{file_id}/content")
        assert response.status_code == 200, response.text
        return response.content

    def counters(self) -> dict[str, Any]:
        return dict(self.call("GET", "/counters"))


class GraphSide:
    def __init__(self, base_url: str, cert: Path) -> None:
        self.base_url = base_url
        self.cert = cert
        self.http = httpx.Client(
            base_url=f"{base_url}/_emulator",
            verify=ssl.create_default_context(cafile=str(cert)),
            timeout=30,
        )

    def call(self, method: str, route: str, body: Any = None, **params: Any) -> Any:
        response = self.http.request(method, route, json=body, params=params or None)
        assert response.status_code < 300, (
            f"{method} {route}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def seed(self, tree: dict[str, Any], under: str | None = None) -> dict[str, str]:
        body: dict[str, Any] = {"tree": tree}
        if under:
            body["under"] = under
        return dict(self.call("POST", f"/drives/{DRIVE}/seed", body)["items"])

    def act(self, **action: Any) -> Any:
        return self.call("POST", f"/drives/{DRIVE}/actions", action)

    def tree(self, under: str) -> list[dict[str, Any]]:
        prefix = under.rstrip("/") + "/"
        return [
            {**i, "rel": i["path"][len(prefix) :]}
            for i in self.call("GET", f"/drives/{DRIVE}/tree")
            if i["path"].startswith(prefix)
        ]

    def content(self, path: str) -> bytes:
        response = self.http.get(f"/drives/{DRIVE}/content", params={"path": path})
        assert response.status_code == 200, response.text
        return response.content

    def mailbox(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/mailbox"))


@dataclass
class Stack:
    azurite: Azurite
    procore: ProcoreSide
    graph: GraphSide
    env: dict[str, str]
    devhost: Process
    app_url: str
    probe_user_agent: str | None = None
    """When set, the stack's own Table Storage reads and writes carry this user agent, so a
    benchmark can tell them apart from the app's in Azurite's debug log."""
    services: Services | None = None
    devhost_args: tuple[str, ...] = ()
    devhost_port: int | None = None
    """The worker's port, kept across restarts: PUBLIC_BASE_URL (where the emulators deliver
    webhooks and notifications) names it."""

    def kill_worker(self) -> None:
        """SIGKILL the worker (devhost) mid-flight, as a crash would."""
        self.devhost.proc.kill()
        self.devhost.proc.wait(timeout=10)

    def start_worker(self) -> None:
        """Start a fresh worker on the same storage and settings."""
        assert self.services is not None
        self.devhost, self.app_url = start_devhost(
            self.services, self.env, extra_args=self.devhost_args, port=self.devhost_port
        )

    def run_timer(self, name: str) -> None:
        """Fire a timer function now (devhost's admin "run" call, as on the real host)."""
        response = httpx.post(
            f"{self.app_url}/admin/functions/{name}",
            headers={"x-functions-key": self.env["DEVHOST_MASTER_KEY"]},
            timeout=10,
        )
        assert response.status_code == 202, f"run {name}: {response.status_code}"

    @property
    def settings(self) -> Settings:
        return load_settings(**{k: v for k, v in self.env.items() if v != ""})

    def store(self) -> StateStore:
        if self.probe_user_agent is None:
            return StateStore.from_settings(self.settings)
        service = TableServiceClient.from_connection_string(
            self.azurite.connection_string, user_agent=self.probe_user_agent
        )
        return StateStore.from_service(service, self.settings)

    def connect(self, project_id: int, name: str, folder_path: str, **fields: Any) -> Project:
        """Store a connected project the way the admin API does, and start its initial sync."""
        folder = self.graph.call("GET", f"/drives/{DRIVE}/item", path="/" + folder_path)
        run_id = uuid.uuid4().hex
        project = Project(
            company_id=COMPANY,
            project_id=project_id,
            project_name=name,
            site_id=SITE,
            drive_id=DRIVE,
            folder_path=folder_path,
            folder_item_id=folder["id"],
            recipients=["dc@contoso.example"],
            phase=Phase.INITIAL_SYNC,
            initial_run_id=run_id,
            **fields,
        )
        store = self.store()
        created = store.projects.create(project)
        QueueSender(queue_service(self.settings)).send(
            SyncStart(project_key=created.key, run_id=run_id)
        )
        return created

    def wait_for_phase(self, key: str, phase: Phase, deadline_s: float = 180) -> Project:
        store = self.store()

        def probe() -> Project | None:
            project = store.projects.get(key)
            return project if project.phase == phase else None

        try:
            return poll(f"project {key} to reach {phase.value}", probe, deadline_s)
        except AssertionError as exc:
            project = store.projects.get(key)
            detail = f"phase {project.phase.value}, counters {project.run_counters}"
            if project.initial_run_id:
                tally = store.work.tally(key, f"initial-{project.initial_run_id}")
                detail += f", units {dict(tally)}"
            failures = failed_invocations(self)[-5:]
            raise AssertionError(f"{exc}; {detail}; failed invocations: {failures}") from None

    def wait_for_email(self, subject: str, deadline_s: float = 60) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            for mail in self.graph.mailbox():
                if mail["message"]["subject"] == subject:
                    return dict(mail)
            return None

        return poll(f"an email '{subject}'", probe, deadline_s)


GENEROUS_PROCORE_LIMITS = ("--spike-limit", "100000", "--hourly-limit", "10000000")
"""Procore rate limits that never bind (a test of pacing passes tight ones; the defaults would
make every test wait on the budget)."""


@dataclass(frozen=True)
class Emulators:
    """Both emulators, started; `app_settings` points the app at them."""

    procore: ProcoreSide
    graph: GraphSide

    def app_settings(self) -> dict[str, str]:
        procore, graph = self.procore.base_url, self.graph.base_url
        return {
            "PROCORE_AUTH_URL": procore,
            "PROCORE_API_URL": procore,
            "GRAPH_AUTHORITY_HOST": graph,
            "GRAPH_API_URL": f"{graph}/v1.0",
            "GRAPH_CA_BUNDLE": str(self.graph.cert),
        }


def start_emulators(
    services: Services,
    cert_dir: Path,
    *,
    procore_args: tuple[str, ...] = GENEROUS_PROCORE_LIMITS,
    procore_seed: str = "none",
) -> Emulators:
    """Start the Procore and Graph emulators. With no Procore seed, the company and the app's
    client credentials are seeded, so tests seed only their own projects."""
    _, procore_url = services.start_python_server(
        "procore",
        "emulators.procore",
        ["--seed", procore_seed, *procore_args],
        ready_path="/_emulator/health",
    )
    cert = cert_dir / "graph-emulator-cert.pem"
    _, graph_url = services.start_python_server(
        "graph",
        "emulators.graph",
        ["--cert-dir", str(cert_dir), "--seed", "demo"],
        ready_path="/_emulator/health",
        scheme="https",
        verify=str(cert),
    )
    procore = ProcoreSide(procore_url)
    if procore_seed == "none":
        procore.call(
            "POST",
            "/seed",
            {
                "company": {"id": COMPANY, "name": "Contoso Construction"},
                "projects": [],
                "clients": [
                    {"client_id": "local-procore-client", "client_secret": "local-procore-secret"}
                ],
            },
        )
    return Emulators(procore, GraphSide(graph_url, cert))


def start_stack(
    services: Services,
    azurite: Azurite,
    cert_dir: Path,
    *,
    env_overrides: dict[str, str] | None = None,
    procore_args: tuple[str, ...] = GENEROUS_PROCORE_LIMITS,
    devhost_args: tuple[str, ...] = (),
) -> Stack:
    """Start the stack: both emulators and the app under devhost, on one Azurite."""
    emulators = start_emulators(services, cert_dir, procore_args=procore_args)
    devhost_port = free_port()
    defaults = dict(
        PUBLIC_BASE_URL=f"http://127.0.0.1:{devhost_port}",
        **emulators.app_settings(),
        TABLE_PREFIX="e2e" + uuid.uuid4().hex[:8],
        QUIET_PERIOD_S="0",
        DEVHOST_MASTER_KEY="stack-" + uuid.uuid4().hex,
    )
    env = app_environment(azurite, **{**defaults, **(env_overrides or {})})
    devhost, app_url = start_devhost(services, env, extra_args=devhost_args, port=devhost_port)
    return Stack(
        azurite,
        emulators.procore,
        emulators.graph,
        env,
        devhost,
        app_url,
        services=services,
        devhost_args=devhost_args,
        devhost_port=devhost_port,
    )


def failed_invocations(stack: Stack) -> list[str]:
    """Function invocations devhost logged as failed (each with its error line)."""
    failures = []
    for line in stack.devhost.log_path.read_text(errors="replace").splitlines():
        if '"outcome": "failed"' in line:
            record = json.loads(line)
            failures.append(f"{record.get('function')}: {record.get('msg')}")
    return failures
