"""The local stack the demo, the benchmarks and the end-to-end tests run the app on.

Azurite, the app under devhost, and (as they are needed) the emulators, all on free ports, with
the app's settings taken from `local.settings.example.json` and pointed at what was started.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueServiceClient, TextBase64DecodePolicy

from devhost.services import REPO_ROOT, Azurite, Process, Services
from shared.queues import QueueMessage, parse

M = TypeVar("M", bound=QueueMessage)

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
) -> tuple[Process, str]:
    """Run the app under devhost; returns the process and its base URL."""
    args = ["--app", app]
    if host_json is not None:
        args += ["--host-json", str(host_json)]
    return services.start_python_server(
        "devhost", "devhost", args, ready_path=DEVHOST_READY_PATH, env=env
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
