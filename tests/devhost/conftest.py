"""devhost under test: the sample app served by `python -m devhost` against the session Azurite."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devhost.services import Azurite, Process, Services

FUNCTION_KEY = "sample-function-key"
MASTER_KEY = "sample-master-key"

HOST_JSON = {
    "version": "2.0",
    "extensions": {
        "http": {"routePrefix": "api"},
        "queues": {
            "batchSize": 4,
            "newBatchThreshold": 2,
            "maxDequeueCount": 2,
            "visibilityTimeout": "00:00:00",
            "maxPollingInterval": "00:00:00.500",
        },
    },
}


def poll(check: Callable[[], Any], deadline_s: float = 15.0, what: str = "condition") -> Any:
    """Call `check` until it returns something truthy, or fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {deadline_s} s")
        time.sleep(0.05)


@dataclass
class SampleRun:
    """One devhost process serving the sample app, and where to look for what it did."""

    process: Process
    url: str
    env: dict[str, str]
    records_path: Path

    def records(self, function: str | None = None) -> list[dict[str, Any]]:
        if not self.records_path.exists():
            return []
        rows = []
        for line in self.records_path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:  # a line being written right now
                continue
            if function is None or row["function"] == function:
                rows.append(row)
        return rows


def sample_env(azurite: Azurite, workdir: Path) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "SAMPLE_OK_QUEUE": f"dh-ok-{suffix}",
        "SAMPLE_FAIL_QUEUE": f"dh-fail-{suffix}",
        "SAMPLE_SLOW_QUEUE": f"dh-slow-{suffix}",
        "SAMPLE_RECORDS": str(workdir / f"records-{suffix}.jsonl"),
    }


def start_sample(services: Services, azurite: Azurite, workdir: Path) -> SampleRun:
    host_json = workdir / "host.json"
    host_json.write_text(json.dumps(HOST_JSON))
    env = sample_env(azurite, workdir)
    process, url = services.start_python_server(
        f"devhost-{uuid.uuid4().hex[:6]}",
        "devhost",
        [
            "--app",
            "tests.devhost.sample_app:app",
            "--host-json",
            str(host_json),
            "--settings",
            str(workdir / "no-local-settings.json"),
            "--function-key",
            FUNCTION_KEY,
            "--master-key",
            MASTER_KEY,
            "--drain-seconds",
            "10",
        ],
        ready_path="/admin/host/status",
        env=env,
    )
    return SampleRun(process, url, env, Path(env["SAMPLE_RECORDS"]))


@pytest.fixture(scope="module")
def sample(
    services: Services, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SampleRun]:
    run = start_sample(services, azurite, tmp_path_factory.mktemp("devhost"))
    yield run
    run.process.stop()
