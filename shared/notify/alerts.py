"""Sending the regular sync's alert emails (`deletes_held`, `sync_stopped`) through Graph.

Once per run id: the project remembers the run ids of the alerts it sent (the last
ALERTS_REMEMBERED), and one delivery at a time holds a short claim while it sends, so a
redelivered or duplicated message sends nothing twice. A delivery that finds another alert
being sent comes back after that claim. The email is built from the project's state when it is
sent; an alert whose cause was answered meanwhile (nothing held any more, no longer stopped) is
not sent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Literal

from shared import runtime
from shared.config import Settings, get_settings
from shared.notify.alert_email import (
    HELD_LISTED,
    AlertFacts,
    HeldNote,
    compose_deletes_held,
    compose_sync_stopped,
)
from shared.notify.initial_sync_email import EmailContent
from shared.queues import Notify
from shared.state import StateStore
from shared.state.log import LogAction
from shared.state.pending import HeldDelete
from shared.state.projects import ALERTS_REMEMBERED, Phase, Project
from shared.sync.handling import defer

log = logging.getLogger("notify")

AlertKind = Literal["deletes_held", "sync_stopped"]
ALERT_KINDS: frozenset[str] = frozenset({"deletes_held", "sync_stopped"})
SENDING_CLAIM = timedelta(minutes=2)
ROUTE_PREFIX = "api"
"""host.json `extensions.http.routePrefix`: the admin API lives under PUBLIC_BASE_URL/api/."""

Claim = Literal["claimed", "sent", "sending", "busy"]


def send_alert(message: Notify) -> None:
    """Send the alert `message` names, unless it was sent (or is being sent) already."""
    if message.kind not in ALERT_KINDS or message.run_id is None:
        log.warning("not an alert with a run id; not sent", extra={"kind": message.kind})
        return
    kind: AlertKind = "deletes_held" if message.kind == "deletes_held" else "sync_stopped"
    run_id = message.run_id
    store = runtime.state_store()
    project = store.projects.find(message.project_key)
    if project is None or run_id in project.alerted_run_ids:
        return
    now = datetime.now(UTC)
    outcome: list[Claim] = []

    def claim(p: Project) -> Project | None:
        outcome.clear()
        if run_id in p.alerted_run_ids:
            outcome.append("sent")
            return None
        if p.alerting_until is not None and p.alerting_until > now:
            outcome.append("sending" if p.alerting_run_id == run_id else "busy")
            return None
        outcome.append("claimed")
        return p.model_copy(
            update={"alerting_run_id": run_id, "alerting_until": now + SENDING_CLAIM}
        )

    project = store.projects.modify(project.key, claim)
    if outcome == ["busy"] and project.alerting_until is not None:
        wait = (project.alerting_until - now).total_seconds() + 1
        defer(message, wait, "another alert email is being sent")
        return
    if outcome != ["claimed"]:
        return  # sent already, or another delivery of this message is sending it
    try:
        detail = _deliver(store, project, kind, get_settings())
    except BaseException:
        _release(store, project.key, run_id)
        raise
    store.projects.modify(project.key, lambda p: _sent(p, run_id))
    store.log.append(store.log.entry(project.key, LogAction.INFO, detail=detail))


def _deliver(store: StateStore, project: Project, kind: AlertKind, settings: Settings) -> str:
    """Send the email (when there is still a reason to); returns the log line saying what
    happened."""
    label = "held-deletes" if kind == "deletes_held" else "safety-stop"
    stopped = project.phase == Phase.ERROR or (
        project.phase == Phase.PAUSED and project.paused_from == Phase.ERROR
    )
    if kind == "sync_stopped" and (project.stopped_reason is None or not stopped):
        return f"{label} email not sent: the safety stop was answered meanwhile"
    facts = alert_facts(project, list(store.held.list_for(project.key)), settings)
    if kind == "deletes_held" and facts.held_count == 0:
        return f"{label} email not sent: no deletes are held back any more"
    content: EmailContent = (
        compose_deletes_held(facts) if kind == "deletes_held" else compose_sync_stopped(facts)
    )
    recipients = list(dict.fromkeys([*project.recipients, *settings.notify_admin_recipients]))
    if not recipients:
        log.warning("no recipients for the alert email", extra={"project": project.key})
        return f"{label} email not sent: the project has no recipients"
    runtime.graph_client().send_mail(recipients, content.subject, content.html, content_type="HTML")
    log.info(
        "alert email sent",
        extra={"project": project.key, "kind": kind, "recipients": len(recipients)},
    )
    return f"{label} email sent to {len(recipients)} recipient(s)"


def alert_facts(project: Project, held: list[HeldDelete], settings: Settings) -> AlertFacts:
    """What the alert says: the held deletes (shallowest paths first), the limit, the reason."""
    listed = sorted(held, key=lambda h: (h.path.count("/"), h.path.casefold()))
    base = str(settings.public_base_url).rstrip("/")
    limit = project.delete_limit
    return AlertFacts(
        project_name=project.project_name,
        project_key=project.key,
        admin_url=f"{base}/{ROUTE_PREFIX}/projects/{project.key}",
        delete_limit=settings.delete_limit_per_day if limit is None else limit,
        held_count=len(held),
        held=[
            HeldNote(path=h.path or h.name, deleted_on=h.deleted_on, is_folder=h.is_folder)
            for h in listed[:HELD_LISTED]
        ],
        stopped_reason=project.stopped_reason,
    )


def _sent(project: Project, run_id: str) -> Project:
    remembered = [r for r in project.alerted_run_ids if r != run_id] + [run_id]
    update: dict[str, object] = {"alerted_run_ids": remembered[-ALERTS_REMEMBERED:]}
    if project.alerting_run_id == run_id:
        update |= {"alerting_run_id": None, "alerting_until": None}
    return project.model_copy(update=update)


def _release(store: StateStore, key: str, run_id: str) -> None:
    """Give the claim up after a failed send, so the retried message can send at once."""

    def release(p: Project) -> Project | None:
        if p.alerting_run_id != run_id:
            return None
        return p.model_copy(update={"alerting_run_id": None, "alerting_until": None})

    try:
        store.projects.modify(key, release)
    except Exception:
        log.warning("alert claim not released", extra={"project": key}, exc_info=True)
