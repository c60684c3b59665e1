"""Queue function of the one-way export of the other tools (shared.export.passes)."""

from __future__ import annotations

import azure.functions as func

from shared.config import STORAGE_CONNECTION_SETTING
from shared.export import passes
from shared.queues import TOOL_EXPORT, ToolExport, parse
from shared.sync.handling import run_step

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=TOOL_EXPORT, connection=STORAGE_CONNECTION_SETTING)
def tool_export(msg: func.QueueMessage) -> None:
    message = parse(ToolExport, msg.get_body())
    run_step(message, lambda: passes.run(message))
