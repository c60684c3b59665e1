"""The notification function: emails through Graph sendMail (shared.notify.send)."""

from __future__ import annotations

import azure.functions as func

from shared.config import STORAGE_CONNECTION_SETTING
from shared.notify import send as notifications
from shared.queues import NOTIFY, Notify, parse
from shared.sync.handling import run_step

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=NOTIFY, connection=STORAGE_CONNECTION_SETTING)
def notify(msg: func.QueueMessage) -> None:
    message = parse(Notify, msg.get_body())
    run_step(message, lambda: notifications.send(message))
