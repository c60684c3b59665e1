"""Queue functions of the regular sync: a change pass per project tick (shared.sync.changes) and
a delta pull per drive (shared.sync.drive_pull)."""

from __future__ import annotations

import azure.functions as func

from shared.config import STORAGE_CONNECTION_SETTING
from shared.queues import DELTA_PULL, PROJECT_TICK, DeltaPull, ProjectTick, parse
from shared.sync import changes, drive_pull
from shared.sync.handling import run_step

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=PROJECT_TICK, connection=STORAGE_CONNECTION_SETTING)
def project_tick(msg: func.QueueMessage) -> None:
    message = parse(ProjectTick, msg.get_body())
    run_step(message, lambda: changes.tick(message))


@bp.queue_trigger(arg_name="msg", queue_name=DELTA_PULL, connection=STORAGE_CONNECTION_SETTING)
def delta_pull(msg: func.QueueMessage) -> None:
    message = parse(DeltaPull, msg.get_body())
    run_step(message, lambda: drive_pull.pull(message))
