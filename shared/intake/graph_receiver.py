"""`POST /api/webhooks/graph`: the validation handshake, and notifications become delta pulls.

Graph validates a notification URL by POSTing `?validationToken=`; the answer must come within
10 s as 200 text/plain carrying the URL-decoded token (API-NOTES B4). A notification must be
acknowledged within 3 s, so the receiver only checks and enqueues: each entry's `clientState`
is compared in constant time (a mismatch is dropped and logged), its drive is read from the
resource, and its subscription id must be the one the Drives row records (else dropped: an old or
foreign subscription). One `DeltaPull` goes out per distinct drive of the batch; 202 follows.
"""

from __future__ import annotations

import logging

from azure.core.exceptions import AzureError
from pydantic import ValidationError

from shared.intake.context import IntakeContext
from shared.intake.graph_notifications import ChangeNotification, NotificationBatch, drive_of
from shared.intake.reply import Reply
from shared.intake.secret_check import same_secret
from shared.queues import DeltaPull
from shared.state import StateError
from shared.state.drives import Drive

log = logging.getLogger("intake.graph")

MAX_BODY_BYTES = 1024 * 1024
MAX_TOKEN_CHARS = 4096


def validation_reply(token: str) -> Reply:
    """The handshake answer: the token itself, as text/plain."""
    if len(token) > MAX_TOKEN_CHARS:
        return Reply.json(400, error="validationToken is too long")
    log.info("graph validation handshake answered")
    return Reply.text(200, token)


def parse_batch(body: bytes) -> NotificationBatch | str:
    if len(body) > MAX_BODY_BYTES:
        return f"body of {len(body)} bytes is too large for a notification batch"
    try:
        return NotificationBatch.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        return f"not a Graph change notification batch: {problems}"


def _accepted_drive(
    context: IntakeContext, note: ChangeNotification, rows: dict[str, Drive | None]
) -> str | None:
    facts = {"subscription_id": note.subscription_id, "resource": note.resource}
    if not same_secret(note.client_state, context.settings.graph_client_state):
        log.warning("graph notification dropped: clientState mismatch", extra=facts)
        return None
    drive_id = drive_of(note.resource)
    if drive_id is None:
        log.warning("graph notification dropped: not a drive root", extra=facts)
        return None
    facts["drive_id"] = drive_id
    if drive_id not in rows:
        rows[drive_id] = context.store.drives.find(drive_id)
    row = rows[drive_id]
    if row is None or row.subscription_id != note.subscription_id:
        log.warning("graph notification dropped: unknown subscription", extra=facts)
        return None
    return drive_id


def receive(context: IntakeContext, validation_token: str | None, body: bytes) -> Reply:
    """Answer one POST from Graph (see the module docstring)."""
    if validation_token is not None:
        return validation_reply(validation_token)
    parsed = parse_batch(body)
    if isinstance(parsed, str):
        log.warning("graph notification refused: bad body", extra={"reason": parsed})
        return Reply.json(400, error=parsed)
    rows: dict[str, Drive | None] = {}
    drives: list[str] = []
    try:
        for note in parsed.value:
            drive_id = _accepted_drive(context, note, rows)
            if drive_id is not None and drive_id not in drives:
                drives.append(drive_id)
    except StateError:
        log.warning("graph notifications not taken: state store failed", exc_info=True)
        return Reply.json(503, error="the state store did not answer; retry later")
    try:
        for drive_id in drives:
            context.queue.send(DeltaPull(drive_id=drive_id, reason="notification"))
            log.info("graph notification queued a delta pull", extra={"drive_id": drive_id})
    except AzureError:
        log.warning("delta pull not queued; Graph will retry", exc_info=True)
        return Reply.json(503, error="the delta pull could not be queued; retry later")
    return Reply(202)
