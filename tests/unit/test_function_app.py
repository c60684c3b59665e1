"""Contract of the registered functions with shared/queues.py and the host."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from typing import Any

from shared.config import STORAGE_CONNECTION_SETTING
from shared.queues import ALL_QUEUES
from tests.conftest import REPO_ROOT
from tests.registered import registered_functions


def functions() -> tuple[Any, ...]:
    return registered_functions()


def test_function_names_are_unique() -> None:
    names = [f.get_function_name() for f in functions()]
    assert len(names) == len(set(names)), names


def test_every_queue_trigger_uses_a_known_queue_and_the_storage_connection() -> None:
    triggers = [f.get_trigger() for f in functions()]
    queue_triggers = [t for t in triggers if t.get_binding_name() == "queueTrigger"]
    assert queue_triggers, "the app has no queue trigger"
    for trigger in queue_triggers:
        binding = trigger.get_dict_repr()
        assert binding["queueName"] in ALL_QUEUES, binding
        assert binding["connection"] == STORAGE_CONNECTION_SETTING, binding


def test_http_routes_are_unique_per_method() -> None:
    seen: set[tuple[str, str]] = set()
    for f in functions():
        binding = f.get_trigger().get_dict_repr()
        if binding["type"] != "httpTrigger":
            continue
        for method in binding.get("methods") or ["*"]:
            key = (str(getattr(method, "value", method)), binding["route"])
            assert key not in seen, key
            seen.add(key)


def test_importing_the_app_opens_no_connection_and_needs_no_settings() -> None:
    """function_app.py must import with no settings at all and without touching the network."""
    probe = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('network used at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import function_app\n"
        "print(len(function_app.app.get_functions()))\n"
    )
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 3
    assert socket  # the probe patches the child's socket module only


def test_host_json_declares_bundle_v4_queue_settings_and_timeout() -> None:
    host = json.loads((REPO_ROOT / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensionBundle"]["version"].startswith("[4.")
    queues = host["extensions"]["queues"]
    assert 1 <= queues["batchSize"] <= 32
    assert queues["messageEncoding"] == "base64"
    assert queues["maxDequeueCount"] >= 1
    assert host["functionTimeout"]
