"""Queue functions of the initial sync: start, folder scan, transfer (shared.sync.initial)."""

from __future__ import annotations

import azure.functions as func

from shared.config import STORAGE_CONNECTION_SETTING
from shared.queues import FOLDER_SCAN, SYNC_START, TRANSFER, FolderScan, SyncStart, Transfer, parse
from shared.sync import initial
from shared.sync.handling import run_step

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=SYNC_START, connection=STORAGE_CONNECTION_SETTING)
def sync_start(msg: func.QueueMessage) -> None:
    message = parse(SyncStart, msg.get_body())
    run_step(message, lambda: initial.start(message))


@bp.queue_trigger(arg_name="msg", queue_name=FOLDER_SCAN, connection=STORAGE_CONNECTION_SETTING)
def folder_scan(msg: func.QueueMessage) -> None:
    message = parse(FolderScan, msg.get_body())
    run_step(message, lambda: initial.scan(message))


@bp.queue_trigger(arg_name="msg", queue_name=TRANSFER, connection=STORAGE_CONNECTION_SETTING)
def transfer(msg: func.QueueMessage) -> None:
    message = parse(Transfer, msg.get_body())
    run_step(message, lambda: initial.transfer(message))
