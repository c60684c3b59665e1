"""Queue function of the regular sync: a change pass per project tick (shared.sync.changes)."""

from __future__ import annotations

import azure.functions as func

from shared.config import STORAGE_CONNECTION_SETTING
from shared.queues import PROJECT_TICK, ProjectTick, parse
from shared.sync import changes
from shared.sync.handling import run_step

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=PROJECT_TICK, connection=STORAGE_CONNECTION_SETTING)
def project_tick(msg: func.QueueMessage) -> None:
    message = parse(ProjectTick, msg.get_body())
    run_step(message, lambda: changes.tick(message))
