"""devhost finds the functions from the app object itself, and refuses what it cannot run."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest

from devhost.catalog import CatalogError, discover
from devhost.timers import next_occurrence

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ENV = {
    "SAMPLE_OK_QUEUE": "Ok-Queue",
    "SAMPLE_FAIL_QUEUE": "fail-queue",
    "SAMPLE_SLOW_QUEUE": "slow-queue",
    "SAMPLE_RECORDS": "/dev/null",
}


def fresh_sample_app() -> Any:
    """A new instance of the sample app: the SDK refuses a second get_functions() on one app."""
    spec = importlib.util.spec_from_file_location(
        "sample_app_copy", Path(__file__).with_name("sample_app.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def test_sample_app_functions_are_discovered_with_their_bindings() -> None:
    app = fresh_sample_app()

    catalog = discover(app, SAMPLE_ENV)

    queues = {q.name: q for q in catalog.queues}
    assert queues["record_message"].queue_name == "ok-queue"  # %setting% resolved, lower-cased
    assert queues["record_message"].connection == "AzureWebJobsStorage"
    assert queues["record_message"].is_async
    assert queues["slow_work"].wants_context
    assert not queues["fail_marked"].is_async
    (timer,) = catalog.timers
    assert (timer.name, timer.schedule, timer.run_on_startup) == (
        "every_two_seconds",
        "*/2 * * * * *",
        False,
    )
    http = {h.name: h for h in catalog.http}
    assert http["hello"].methods == ("GET",)
    assert http["hello"].auth_level == "anonymous"
    assert http["item"].auth_level == "function"  # the app's default level
    assert http["maintenance"].auth_level == "admin"
    assert http["broken"].methods == ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def test_the_repository_app_is_discoverable() -> None:
    # In a child process: the app object of function_app may be indexed only once per process.
    script = (
        "import json, function_app\n"
        "from devhost.catalog import discover\n"
        "print(json.dumps(discover(function_app.app, {}).describe()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    rows = json.loads(out.stdout.strip().splitlines()[-1])
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names)) > 0


def test_missing_setting_in_a_queue_name_is_named() -> None:
    app = fresh_sample_app()

    env = dict(SAMPLE_ENV)
    del env["SAMPLE_FAIL_QUEUE"]
    with pytest.raises(CatalogError, match="SAMPLE_FAIL_QUEUE"):
        discover(app, env)


def test_unsupported_binding_is_refused_with_the_function_named() -> None:
    app = func.FunctionApp()

    @app.queue_trigger(arg_name="msg", queue_name="in", connection="AzureWebJobsStorage")
    @app.queue_output(arg_name="out", queue_name="out", connection="AzureWebJobsStorage")
    def forward(msg: func.QueueMessage, out: func.Out[str]) -> None:
        out.set(msg.get_body().decode())

    with pytest.raises(CatalogError, match=r"forward.*QueueOutput"):
        discover(app, {})


def test_ncrontab_reads_seconds_first_in_utc() -> None:
    start = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)

    assert next_occurrence("*/15 * * * * *", start) == datetime(2024, 5, 1, 10, 0, 15, tzinfo=UTC)
    assert next_occurrence("0 */5 * * * *", start) == datetime(2024, 5, 1, 10, 5, 0, tzinfo=UTC)
    assert next_occurrence("30 0 9 * * 1", start) == datetime(2024, 5, 6, 9, 0, 30, tzinfo=UTC)
