"""The initial sync survives what real queues and APIs do: duplicate deliveries, a worker
killed mid-run, and 429 storms from either API (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devhost.services import Services
from shared.state.projects import Phase
from tests.e2e.stack import DRIVE, Stack, failed_invocations, poll, start_stack

SUBJECT = "Two way sync initiated for project {}"


def small_tree(files: int = 40) -> dict[str, Any]:
    return {
        f"Folder {f}": {f"Doc {f}-{n}.pdf": 500 + f * 10 + n for n in range(files // 4)}
        for f in range(4)
    }


def assert_mirrored_once(stack: Stack, project_id: int, folder: str) -> None:
    """Every Procore file is in SharePoint once, with one version (no repeated upload)."""
    procore = [i for i in stack.procore.tree(project_id) if i["type"] == "file"]
    sharepoint = {i["rel"]: i for i in stack.graph.tree(f"/{folder}/Documents")}
    files = {k: v for k, v in sharepoint.items() if not v["folder"]}
    assert sorted(files) == sorted(i["path"] for i in procore)
    for item in procore:
        assert files[item["path"]]["size"] == item["size"]


def emails(stack: Stack, subject: str) -> list[dict[str, Any]]:
    return [m for m in stack.graph.mailbox() if m["message"]["subject"] == subject]


@pytest.fixture(scope="module")
def redelivering(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Services() as services:
        azurite = services.start_azurite()
        yield start_stack(
            services, azurite, tmp_path_factory.mktemp("cert"), devhost_args=("--redeliver",)
        )


@pytest.fixture(scope="module")
def crashable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Services() as services:
        azurite = services.start_azurite()
        yield start_stack(
            services,
            azurite,
            tmp_path_factory.mktemp("cert"),
            devhost_args=("--message-lease-seconds", "3"),
        )


def test_every_message_delivered_twice_changes_nothing(redelivering: Stack) -> None:
    stack = redelivering
    stack.graph.seed({"Twice": {}})
    stack.procore.seed_project(4300009301, "Twice Tower", small_tree())
    project = stack.connect(4300009301, "Twice Tower", "Twice")
    done = stack.wait_for_phase(project.key, Phase.REGULAR)
    poll("the completion email", lambda: emails(stack, SUBJECT.format("Twice Tower")), 60)
    assert_mirrored_once(stack, 4300009301, "Twice")
    for item in stack.graph.tree("/Twice/Documents"):
        if not item["folder"]:
            versions = stack.graph.call("GET", f"/drives/{DRIVE}/versions", path=item["path"])
            assert len(versions) == 1, item["path"]
    assert done.run_counters.files_to_sharepoint == 40
    assert len(emails(stack, SUBJECT.format("Twice Tower"))) == 1
    assert failed_invocations(stack) == []


def test_a_worker_killed_mid_run_and_restarted_finishes_the_sync(crashable: Stack) -> None:
    stack = crashable
    stack.graph.seed({"Crash": {}})
    stack.procore.seed_project(4300009302, "Crash Tower", small_tree(80))
    # Slow downloads keep the run in flight long enough to kill the worker in the middle.
    stack.procore.call(
        "POST", "/faults", {"kind": "slow", "path_prefix": "/prostore/", "delay_s": 0.3}
    )
    project = stack.connect(4300009302, "Crash Tower", "Crash")
    store = stack.store()
    poll(
        "some files to be copied",
        lambda: (
            store.projects.get(project.key).run_counters.files_copied >= 5
            or bool(list(store.items.list_items(project.key))[5:])
        ),
        60,
        0.05,
    )
    stack.kill_worker()
    assert store.projects.get(project.key).phase == Phase.INITIAL_SYNC
    stack.procore.call("DELETE", "/faults")
    stack.start_worker()
    stack.wait_for_phase(project.key, Phase.REGULAR)
    assert_mirrored_once(stack, 4300009302, "Crash")
    poll("the completion email", lambda: emails(stack, SUBJECT.format("Crash Tower")), 120)
    assert len(emails(stack, SUBJECT.format("Crash Tower"))) == 1


def test_a_procore_429_storm_is_waited_out(crashable: Stack) -> None:
    stack = crashable
    stack.graph.seed({"Storm P": {}})
    stack.procore.seed_project(4300009303, "Storm P", small_tree())
    stack.procore.call("POST", "/faults", {"kind": "429", "count": 12, "retry_after_s": 1})
    project = stack.connect(4300009303, "Storm P", "Storm P")
    stack.wait_for_phase(project.key, Phase.REGULAR, deadline_s=180)
    assert_mirrored_once(stack, 4300009303, "Storm P")
    counters = stack.procore.counters()
    assert counters["by_status"].get("429", 0) >= 1


def test_a_graph_429_storm_is_waited_out(crashable: Stack) -> None:
    stack = crashable
    stack.graph.seed({"Storm G": {}})
    stack.procore.seed_project(4300009304, "Storm G", small_tree())
    stack.graph.call("POST", "/faults", {"kind": "throttle", "count": 12, "retry_after_s": 1})
    project = stack.connect(4300009304, "Storm G", "Storm G")
    stack.wait_for_phase(project.key, Phase.REGULAR, deadline_s=180)
    assert_mirrored_once(stack, 4300009304, "Storm G")
    (fault,) = stack.graph.call("GET", "/faults")
    assert fault["hits"] == 12  # the storm was met in full, and waited out
