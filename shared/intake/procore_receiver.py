"""`POST /api/webhooks/procore`: a Procore event becomes a tick of its project.

Procore waits 5 s and retries on anything but 2xx (API-NOTES A9), so the receiver makes no API
call: it checks the shared secret (401, nothing enqueued), parses the v2.0 payload (400 with the
reason), reads the project row, takes the event in with one conditional insert (a redelivery
stops there) and enqueues a `ProjectTick` whose `tick_id` is the event's ulid.
"""

from __future__ import annotations

import json
import logging

from azure.core.exceptions import AzureError
from pydantic import ValidationError

from shared.intake.context import IntakeContext
from shared.intake.event_ledger import EventLedger, event_id
from shared.intake.reply import Reply
from shared.intake.secret_check import bearer_matches
from shared.mapping import project_key
from shared.procore.webhook_models import WebhookEvent
from shared.queues import ProjectTick
from shared.state import StateError
from shared.state.projects import Phase

log = logging.getLogger("intake.procore")

MAX_BODY_BYTES = 64 * 1024
"""A v2.0 payload is a few hundred bytes; anything far larger is not one."""


def parse_event(body: bytes) -> WebhookEvent | str:
    """The event, or why the body is not one (said plainly, for the 400 answer)."""
    if len(body) > MAX_BODY_BYTES:
        return f"body of {len(body)} bytes is too large for a Procore webhook event"
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"body is not JSON: {exc}"
    if not isinstance(document, dict):
        return "body must be a JSON object (a Procore v2.0 webhook event)"
    try:
        return WebhookEvent.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors()
        )
        return f"not a Procore webhook event: {problems}"


def receive(context: IntakeContext, authorization: str | None, body: bytes) -> Reply:
    """Answer one delivery (see the module docstring)."""
    if not bearer_matches(authorization, context.settings.procore_webhook_secret):
        log.warning("procore webhook refused: wrong or missing secret", extra={"status": 401})
        return Reply.json(401, error="unauthorized")
    parsed = parse_event(body)
    if isinstance(parsed, str):
        log.warning("procore webhook refused: bad body", extra={"reason": parsed})
        return Reply.json(400, error=parsed)
    event = parsed
    facts = {
        "event": event_id(event),
        "resource_name": event.resource_name,
        "event_type": event.event_type,
        "resource_id": event.resource_id,
    }
    if event.company_id is None or event.project_id is None:
        log.info("procore event ignored: not a project's", extra=facts)
        return Reply.json(200, status="ignored", reason="not a project event")
    key = project_key(event.company_id, event.project_id)
    facts["project_key"] = key
    try:
        project = context.store.projects.find(key)
        if project is None or project.phase != Phase.REGULAR:
            reason = "unknown project" if project is None else f"project is {project.phase.value}"
            log.info("procore event ignored", extra={**facts, "reason": reason})
            return Reply.json(200, status="ignored", reason=reason)
        ledger = EventLedger(context.store.work.table)
        if not ledger.take(event, key, context.clock()):
            log.info("procore event redelivered; dropped", extra=facts)
            return Reply.json(200, status="duplicate")
    except StateError:
        log.warning("procore event not taken: state store failed", extra=facts, exc_info=True)
        return Reply.json(503, error="the state store did not answer; retry later")
    tick = ProjectTick(
        project_key=key,
        tick_id=event_id(event),
        reason="procore-webhook",
        resources=[event.resource_name],
        deleted=event.event_type == "delete",
    )
    try:
        context.queue.send(tick)
    except AzureError:
        log.warning("procore event not queued; Procore will retry", extra=facts, exc_info=True)
        try:
            ledger.forget(event)
        except StateError:
            log.warning("procore event mark not undone", extra=facts, exc_info=True)
        return Reply.json(503, error="the tick could not be queued; retry later")
    log.info("procore event queued as a tick", extra=facts)
    return Reply.json(200, status="queued", tick_id=tick.tick_id)
