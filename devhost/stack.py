"""The local stack the demo, the benchmarks and the end-to-end tests run the app on.

Azurite, the app under devhost, and (as they are needed) the emulators, all on free ports, with
the app's settings taken from `local.settings.example.json` and pointed at what was started.
"""

from __future__ import annotations

import json
from pathlib import Path

from devhost.services import REPO_ROOT, Azurite, Process, Services

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
