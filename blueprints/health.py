"""Health check and the ping round trip (the skeleton's end-to-end path)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import azure.functions as func

from shared.config import STORAGE_CONNECTION_SETTING
from shared.health import answer_ping, health_report
from shared.queues import PING, Ping, parse
from shared.runtime import queue_sender

bp = func.Blueprint()


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    report = health_report()
    return func.HttpResponse(
        report.model_dump_json(),
        status_code=200 if report.settings_ok else 503,
        mimetype="application/json",
    )


@bp.route(route="ping", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
def send_ping(req: func.HttpRequest) -> func.HttpResponse:
    ping = Ping(ping_id=uuid.uuid4().hex, sent_at=datetime.now(UTC))
    queue_sender().send(ping)
    return func.HttpResponse(ping.model_dump_json(), status_code=202, mimetype="application/json")


@bp.queue_trigger(arg_name="msg", queue_name=PING, connection=STORAGE_CONNECTION_SETTING)
def ping(msg: func.QueueMessage) -> None:
    answer_ping(parse(Ping, msg.get_body()), queue_sender())
