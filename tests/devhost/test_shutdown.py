"""SIGTERM stops devhost cleanly: polling stops, the in-flight invocation finishes, exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from devhost.services import Azurite, Services
from tests.devhost.conftest import poll, start_sample


def test_sigterm_lets_the_running_invocation_finish_and_exits_zero(
    services: Services, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run = start_sample(services, azurite, tmp_path_factory.mktemp("devhost-stop"))
    queue = QueueClient.from_connection_string(
        run.env["AzureWebJobsStorage"],
        run.env["SAMPLE_SLOW_QUEUE"],
        message_encode_policy=TextBase64EncodePolicy(),
    )
    sent = queue.send_message("slow")
    poll(
        lambda: [r for r in run.records("slow_work") if r["phase"] == "started"],
        what="slow_work started",
    )

    stop_sent = time.monotonic()
    os.kill(run.process.proc.pid, signal.SIGTERM)
    try:
        code = run.process.proc.wait(timeout=8)
    except subprocess.TimeoutExpired:
        run.process.stop()
        raise AssertionError(f"devhost did not stop:\n{run.process.log_tail()}") from None

    assert code == 0, run.process.log_tail()
    assert time.monotonic() - stop_sent < 8
    finished = [r for r in run.records("slow_work") if r["phase"] == "finished"]
    assert [r["id"] for r in finished] == [sent.id]
    assert queue.get_queue_properties().approximate_message_count == 0  # deleted, not abandoned
    assert "devhost stopped" in run.process.log_path.read_text()
