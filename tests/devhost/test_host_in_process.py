"""devhost's Host started in a thread: batch fetching bounds concurrency, run_on_startup,
keyless setups refuse."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import azure.functions as func
import httpx
import pytest
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from devhost.host import Host
from devhost.host_json import HostOptions, QueueOptions
from devhost.services import Azurite
from tests.devhost.conftest import poll


@dataclass
class Gate:
    """Queue invocations wait here until the test lets them through, one permit each."""

    permits: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: int = 0
    peak: int = 0
    done: int = 0
    timer_past_due: list[bool] = field(default_factory=list)

    def enter(self) -> None:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        self.permits.acquire(timeout=20)
        with self.lock:
            self.running -= 1
            self.done += 1


def gated_app(gate: Gate) -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

    @app.queue_trigger(arg_name="msg", queue_name="%GATED_QUEUE%", connection="AzureWebJobsStorage")
    def gated(msg: func.QueueMessage) -> None:
        gate.enter()

    @app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *", run_on_startup=True)
    def new_year(timer: func.TimerRequest) -> None:
        gate.timer_past_due.append(timer.past_due)

    @app.route(route="secured/{name}", methods=["GET"])
    def secured(req: func.HttpRequest) -> str:
        return req.route_params["name"]

    @app.route(route="master-only", auth_level=func.AuthLevel.ADMIN)
    def master_only(req: func.HttpRequest) -> str:
        return "ok"

    return app


@dataclass
class Running:
    host: Host
    gate: Gate
    queue: QueueClient


@pytest.fixture
def running(azurite: Azurite) -> Iterator[Running]:
    gate = Gate()
    queue_name = f"dh-gated-{uuid.uuid4().hex[:8]}"
    env = {"AzureWebJobsStorage": azurite.connection_string, "GATED_QUEUE": queue_name}
    options = HostOptions(
        queues=QueueOptions(batch_size=2, new_batch_threshold=1, max_polling_interval_s=0.2)
    )
    host = Host(gated_app(gate), options, port=0, env=env, drain_s=5)
    host.start()
    queue = QueueClient.from_connection_string(
        azurite.connection_string, queue_name, message_encode_policy=TextBase64EncodePolicy()
    )
    yield Running(host, gate, queue)
    gate.permits.release(100)
    host.stop()


def visible(queue: QueueClient) -> int:
    return len(queue.peek_messages(max_messages=32))


def test_new_batch_is_fetched_only_when_in_flight_drops_to_the_threshold(
    running: Running,
) -> None:
    gate, queue = running.gate, running.queue
    for n in range(6):
        queue.send_message(f"m{n}")

    poll(lambda: gate.running == 2, what="first batch of 2 running")
    assert visible(queue) == 4  # nothing more fetched while 2 > newBatchThreshold (1)

    gate.permits.release(1)  # in flight drops to 1 = threshold: a new batch of 2 comes
    poll(lambda: gate.running == 3, what="second batch running beside the first")
    assert visible(queue) == 2
    assert gate.peak == 3  # batchSize + newBatchThreshold

    gate.permits.release(10)
    poll(lambda: gate.done == 6, what="all six handled")
    poll(lambda: queue.get_queue_properties().approximate_message_count == 0, what="deleted")
    assert gate.peak == 3


def test_without_a_function_key_function_routes_refuse_and_say_how_to_set_one(
    running: Running,
) -> None:
    response = httpx.get(f"{running.host.url}/api/secured/x", params={"code": "anything"})

    assert response.status_code == 401
    assert "ADMIN_FUNCTION_KEY" in response.text
    assert "--function-key" in response.text


def test_without_a_master_key_admin_routes_refuse_and_say_how_to_set_one(
    running: Running,
) -> None:
    response = httpx.get(f"{running.host.url}/api/master-only")

    assert response.status_code == 401
    assert "--master-key" in response.text


def test_run_on_startup_fires_once_at_start_whatever_the_schedule(running: Running) -> None:
    # The schedule is once a year (New Year, midnight UTC); run_on_startup fires it now anyway.
    fired = poll(lambda: running.gate.timer_past_due, what="startup invocation")

    assert fired == [False]
