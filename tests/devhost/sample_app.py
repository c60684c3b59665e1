"""A Function App of our own for devhost's tests: every trigger kind devhost runs.

Each invocation appends one JSON line to the file named by SAMPLE_RECORDS, so a test (in another
process) can read what each function received. Queue names come from app settings (`%NAME%`),
so every test run uses fresh queues.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
_write_lock = threading.Lock()

SLOW_WORK_S = 1.0


def record(function: str, **facts: Any) -> None:
    line = json.dumps({"function": function, "at": datetime.now(UTC).isoformat(), **facts})
    with _write_lock, open(os.environ["SAMPLE_RECORDS"], "a", encoding="utf-8") as out:
        out.write(line + "\n")


def _message_facts(msg: func.QueueMessage) -> dict[str, Any]:
    return {
        "id": msg.id,
        "body": msg.get_body().decode("utf-8"),
        "dequeue_count": msg.dequeue_count,
        "insertion_time": msg.insertion_time.isoformat() if msg.insertion_time else None,
        "expiration_time": msg.expiration_time.isoformat() if msg.expiration_time else None,
        "time_next_visible": msg.time_next_visible.isoformat() if msg.time_next_visible else None,
        "pop_receipt": msg.pop_receipt,
    }


@app.queue_trigger(arg_name="msg", queue_name="%SAMPLE_OK_QUEUE%", connection="AzureWebJobsStorage")
async def record_message(msg: func.QueueMessage) -> None:
    record("record_message", **_message_facts(msg))


@app.queue_trigger(
    arg_name="msg", queue_name="%SAMPLE_FAIL_QUEUE%", connection="AzureWebJobsStorage"
)
def fail_marked(msg: func.QueueMessage) -> None:
    facts = _message_facts(msg)
    record("fail_marked", **facts)
    if facts["body"].startswith("fail"):
        raise RuntimeError("marked to fail")


@app.queue_trigger(
    arg_name="msg", queue_name="%SAMPLE_SLOW_QUEUE%", connection="AzureWebJobsStorage"
)
def slow_work(msg: func.QueueMessage, context: func.Context) -> None:
    record("slow_work", phase="started", id=msg.id, invocation_id=context.invocation_id)
    time.sleep(SLOW_WORK_S)  # stands for real work still running when the host is told to stop
    record("slow_work", phase="finished", id=msg.id)


@app.timer_trigger(arg_name="timer", schedule="*/2 * * * * *")
def every_two_seconds(timer: func.TimerRequest) -> None:
    record("every_two_seconds", past_due=timer.past_due)


@app.route(route="hello/{name}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps({"name": req.route_params["name"], "params": dict(req.params)}),
        mimetype="application/json",
        headers={"X-Sample": "hello"},
    )


@app.route(route="items/{id:int}/{label?}", methods=["GET", "POST"])
def item(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(
            {
                "method": req.method,
                "route_params": dict(req.route_params),
                "body": req.get_body().decode("utf-8"),
            }
        ),
        status_code=201 if req.method == "POST" else 200,
        mimetype="application/json",
    )


@app.route(route="text", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def plain_text(req: func.HttpRequest) -> str:
    return "just text"


@app.route(route="broken", auth_level=func.AuthLevel.ANONYMOUS)
def broken(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("internal detail that must not reach the caller")


@app.route(route="maintenance", methods=["POST"], auth_level=func.AuthLevel.ADMIN)
async def maintenance(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("maintenance done")
