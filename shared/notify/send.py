"""The notification step: build an email from the project's state and send it through Graph.

Idempotent: the project remembers the run whose completion email went out, so a redelivered
message sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from shared import runtime
from shared.config import get_settings
from shared.export.document import EXPORTED
from shared.notify.alerts import ALERT_KINDS, send_alert
from shared.notify.initial_sync_email import ConflictNote, InitialSyncSummary, SkipNote, compose
from shared.queues import Notify
from shared.state.log import LogAction
from shared.state.projects import Project

log = logging.getLogger("notify")
LOG_ENTRIES_READ = 5000


def send(message: Notify) -> None:
    if message.kind == "initial_sync_complete":
        send_initial_sync_complete(message)
    elif message.kind in ALERT_KINDS:
        send_alert(message)
    else:
        log.warning("notification kind not handled", extra={"kind": message.kind})


SENDING_CLAIM = timedelta(minutes=2)


def send_initial_sync_complete(message: Notify) -> None:
    store = runtime.state_store()
    project = store.projects.find(message.project_key)
    if project is None or message.run_id is None or project.notified_run_id == message.run_id:
        return
    now = datetime.now(UTC)
    claimed: list[bool] = []

    def claim(p: Project) -> Project | None:
        claimed.clear()
        busy = p.notifying_until is not None and p.notifying_until > now
        if p.notified_run_id == message.run_id or busy:
            return None
        claimed.append(True)
        return p.model_copy(update={"notifying_until": now + SENDING_CLAIM})

    project = store.projects.modify(project.key, claim)
    if not claimed:
        return  # sent already, or another delivery is sending it (its claim runs out if it dies)
    started = project.initial_sync_started_at
    finished = project.initial_sync_finished_at
    if started is None or finished is None:
        log.warning("initial sync not finished; no email", extra={"project": project.key})
        return
    entries = [e for e in store.log.recent(project.key, LOG_ENTRIES_READ) if e.at >= started]
    counters = project.run_counters
    summary = InitialSyncSummary(
        project_name=project.project_name,
        project_key=project.key,
        mode=project.mode.value if project.mode else "mirror",
        sharepoint_folder_path=project.folder_path or "/",
        started_at=started,
        finished_at=finished,
        folders_created=counters.folders_created,
        files_to_sharepoint=counters.files_to_sharepoint,
        files_to_procore=counters.files_to_procore,
        files_linked=counters.files_linked,
        bytes_copied=counters.bytes_copied,
        items_exported=sum(
            1
            for e in entries
            if e.action in (LogAction.COPIED, LogAction.UPDATED)
            and (e.detail or "").startswith(EXPORTED)
        ),
        conflicts=[
            ConflictNote(path=e.path or e.name or "", resolution=e.reason or "resolved")
            for e in reversed(entries)
            if e.action == LogAction.CONFLICT
            or (e.action == LogAction.UPDATED and e.reason is not None)
        ],
        skipped=[
            SkipNote(path=e.path or e.name or "", side=e.side or "", reason=e.reason or "")
            for e in reversed(entries)
            if e.action == LogAction.SKIPPED
        ],
    )
    content = compose(summary)
    recipients = list(dict.fromkeys([*project.recipients, *get_settings().notify_admin_recipients]))
    if recipients:
        runtime.graph_client().send_mail(
            recipients, content.subject, content.html, content_type="HTML"
        )
    else:
        log.warning("no recipients for the completion email", extra={"project": project.key})
    store.projects.modify(
        project.key,
        lambda p: p.model_copy(update={"notified_run_id": message.run_id, "notifying_until": None}),
    )
    store.log.append(
        store.log.entry(
            project.key,
            LogAction.INFO,
            detail=f"completion email sent to {len(recipients)} recipient(s)",
        )
    )
