"""The intake tests' world: their own Azurite (so the fixed queue names are theirs alone), both
emulators, and a notification endpoint serving the real Graph receiver over HTTP (Graph
validates a subscription's URL while creating it)."""

from __future__ import annotations

import ssl
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueServiceClient, TextBase64DecodePolicy

from devhost.services import Azurite, Services
from devhost.stack import app_environment, start_emulators
from shared.config import Settings, load_settings
from shared.graph.client import GraphClient
from shared.intake import graph_receiver
from shared.intake.context import IntakeContext
from shared.procore.client import ProcoreClient
from shared.queues import DELTA_PULL, PROJECT_TICK, DeltaPull, ProjectTick, QueueSender, parse
from shared.state import StateStore
from shared.state.projects import Phase, Project
from shared.storage import queue_service

COMPANY = 4300000001
PROJECT = 4300000101
DRIVE = "b!documents-construction"
SITE = (
    "contoso.sharepoint.com,11111111-1111-1111-1111-111111111111,"
    "22222222-2222-2222-2222-222222222222"
)


class NotificationEndpoint:
    """`POST /api/webhooks/graph` answered by `graph_receiver.receive` (query decoded as the
    Functions host does)."""

    def __init__(self) -> None:
        self.context: IntakeContext | None = None
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                query = parse_qs(urlsplit(self.path).query)
                token = query.get("validationToken", [None])[0]
                assert endpoint.context is not None
                reply = graph_receiver.receive(endpoint.context, token, body)
                payload = reply.body.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.mimetype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class World:
    azurite: Azurite
    procore_url: str
    graph_url: str
    cert: Path
    endpoint: NotificationEndpoint
    clients: list[Any] = field(default_factory=list)

    def settings(self, **overrides: str) -> Settings:
        env = app_environment(
            self.azurite,
            PROCORE_AUTH_URL=self.procore_url,
            PROCORE_API_URL=self.procore_url,
            GRAPH_AUTHORITY_HOST=self.graph_url,
            GRAPH_API_URL=f"{self.graph_url}/v1.0",
            GRAPH_CA_BUNDLE=str(self.cert),
            PUBLIC_BASE_URL=self.endpoint.base_url,
            **{"TABLE_PREFIX": "in" + uuid.uuid4().hex[:12], **overrides},
        )
        return load_settings(**{k: v for k, v in env.items() if v != ""})

    def procore(self, settings: Settings) -> ProcoreClient:
        client = ProcoreClient(settings)
        self.clients.append(client)
        return client

    def graph(self, settings: Settings) -> GraphClient:
        client = GraphClient(settings)
        self.clients.append(client)
        return client

    def procore_control(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.procore_url}/_emulator", timeout=30)

    def graph_control(self) -> httpx.Client:
        trust = ssl.create_default_context(cafile=str(self.cert))
        return httpx.Client(base_url=f"{self.graph_url}/_emulator", verify=trust, timeout=30)


def start_world(services: Services, cert_dir: Path) -> World:
    azurite = services.start_azurite()
    emulators = start_emulators(services, cert_dir, procore_seed="demo")
    return World(
        azurite,
        emulators.procore.base_url,
        emulators.graph.base_url,
        emulators.graph.cert,
        NotificationEndpoint(),
    )


def context_for(settings: Settings, now: datetime | None = None) -> IntakeContext:
    store = StateStore.from_settings(settings)
    sender = QueueSender(queue_service(settings))
    if now is None:
        return IntakeContext(settings, store, sender)
    return IntakeContext(settings, store, sender, clock=lambda: now)


def new_project(
    project_id: int = PROJECT,
    *,
    phase: Phase = Phase.REGULAR,
    drive_id: str = DRIVE,
    **fields: Any,
) -> Project:
    return Project(
        company_id=COMPANY,
        project_id=project_id,
        project_name=f"Project {project_id}",
        site_id=SITE,
        drive_id=drive_id,
        folder_path=f"Projects/{project_id}",
        phase=phase,
        **fields,
    )


class Queues:
    """Reads (and empties) the two queues the intake sends to."""

    def __init__(self, settings: Settings) -> None:
        self.service: QueueServiceClient = queue_service(settings)

    def _drain(self, name: str) -> list[str]:
        client = self.service.get_queue_client(name, message_decode_policy=TextBase64DecodePolicy())
        bodies: list[str] = []
        try:
            while True:
                batch = list(client.receive_messages(max_messages=32, visibility_timeout=30))
                if not batch:
                    return bodies
                for message in batch:
                    bodies.append(str(message.content))
                    client.delete_message(message)
        except ResourceNotFoundError:
            return bodies

    def ticks(self) -> list[ProjectTick]:
        return [parse(ProjectTick, body) for body in self._drain(PROJECT_TICK)]

    def pulls(self) -> list[DeltaPull]:
        return [parse(DeltaPull, body) for body in self._drain(DELTA_PULL)]


def event(
    project_id: int = PROJECT,
    *,
    ulid: str | None = None,
    at: datetime | None = None,
    resource_name: str = "Project Files",
    event_type: str = "create",
    resource_id: int = 4300100123,
) -> dict[str, Any]:
    """A v2.0 payload as Procore sends it (API-NOTES A9)."""
    moment = at or datetime.now(UTC)
    return {
        "id": 4300900000 + int(uuid.uuid4().int % 100000),
        "ulid": ulid or uuid.uuid4().hex[:26].upper(),
        "timestamp": moment.isoformat().replace("+00:00", "Z"),
        "metadata": {
            "source_user_id": 4300000502,
            "source_project_id": project_id,
            "source_operation_id": None,
            "source_company_id": COMPANY,
            "source_application_id": None,
        },
        "user_id": 4300000502,
        "company_id": COMPANY,
        "project_id": project_id,
        "api_version": "v2.0",
        "event_type": event_type,
        "resource_name": resource_name,
        "resource_id": resource_id,
    }


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def seed_procore_project(world: World) -> int:
    """A permitted Procore project of the test's own (the emulator lives for the package)."""
    project_id = 4300005000 + uuid.uuid4().int % 100000
    with world.procore_control() as control:
        answer = control.post(
            "/seed",
            json={
                "projects": [
                    {"id": project_id, "name": f"P{project_id}", "permitted": True, "documents": {}}
                ]
            },
        )
        assert answer.status_code == 201, answer.text
    return project_id


def new_drive(world: World) -> str:
    """A SharePoint library of the test's own: its drive id."""
    name = uuid.uuid4().hex[:8]
    with world.graph_control() as control:
        answer = control.post(
            "/sites",
            json={
                "hostname": "contoso.sharepoint.com",
                "path": f"/sites/T{name}",
                "libraries": [{"name": "Documents", "drive_id": f"b!drive-{name}"}],
            },
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["drives"][0]["id"])


def emulated_subscriptions(world: World, drive_id: str) -> list[dict[str, Any]]:
    with world.graph_control() as control:
        answer = control.get("/subscriptions")
        assert answer.status_code == 200, answer.text
        listed = answer.json()
    rows = listed.get("value", listed) if isinstance(listed, dict) else listed
    return [s for s in rows if drive_id in str(s["resource"])]
