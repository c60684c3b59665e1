"""Entry points of the export for the regular sync: which webhook resources concern which tool,
and requests for an export pass ("export what changed since the tool's watermark").

Called by the project tick (webhook-driven, with the resources that prompted it) and by the
safety-net poll (tools None). A request is cheap: one query for the project's tool states, and
one message per tool that is neither already queued nor (for a poll) listed very recently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from shared import runtime
from shared.config import Settings, get_settings
from shared.export.passes import new_pass_id
from shared.export.state import ExportState, ToolState
from shared.export.tools import EXPORT_TOOLS
from shared.queues import QueueSender, ToolExport
from shared.state import StateStore
from shared.state.projects import Phase

log = logging.getLogger("export")

QUEUED_FOR = timedelta(minutes=2)
"""A request made within this time of a queued, not yet started pass is covered by that pass."""

RESOURCE_TOOLS: dict[str, str] = {
    resource: tool.name for tool in EXPORT_TOOLS.values() for resource in tool.resources
}
"""Procore webhook resource name → export tool (API-NOTES A9). Names observed in a sandbox: RFIs,
RFI Replies, Submittals, Submittal Packages, Drawings, Drawing Sets, Drawing Uploads, Observation
Items, Inspection Checklists. [U] Forms, Incidents and Commitments are our guesses (not observed);
a wrong guess only loses the webhook's speed: the poll still finds those changes."""


def tools_for_resources(resources: Iterable[str]) -> set[str]:
    """The export tools concerned by webhook events of these resource names."""
    return {RESOURCE_TOOLS[r] for r in resources if r in RESOURCE_TOOLS}


def webhook_resources(tools: Iterable[str]) -> list[str]:
    """The resource names to register webhook triggers for, given the enabled tools."""
    wanted = set(tools)
    return sorted(r for r, tool in RESOURCE_TOOLS.items() if tool in wanted)


def request_exports(
    project_key: str, tools: Iterable[str] | None, reason: str, *, full: bool = False
) -> int:
    """Enqueue an export pass for the project's enabled export tools (None = all enabled);
    `full` lists every item (a delete shows only as an item missing from the full list).
    Returns the number of messages sent."""
    return enqueue_exports(
        runtime.state_store(),
        runtime.queue_sender(),
        get_settings(),
        project_key,
        tools,
        reason,
        now=datetime.now(UTC),
        full=full,
    )


def enqueue_exports(
    store: StateStore,
    sender: QueueSender,
    settings: Settings,
    project_key: str,
    tools: Iterable[str] | None,
    reason: str,
    *,
    now: datetime,
    full: bool = False,
) -> int:
    """`request_exports` with its dependencies given (tests, benchmarks)."""
    project = store.projects.find(project_key)
    if project is None or project.phase != Phase.REGULAR:
        return 0  # the initial sync exports everything itself; a paused project waits
    enabled = [t for t in project.tools if t in EXPORT_TOOLS]
    chosen = enabled if tools is None else [t for t in enabled if t in set(tools)]
    if not chosen:
        return 0
    state = ExportState(store.items.table)
    states = state.tools(project_key)
    poll_gap = timedelta(seconds=settings.export_poll_min_interval_s)
    sent = 0
    for tool in chosen:
        current = states.get(tool)
        covered = current is not None and _covered(
            current, now, poll_gap if tools is None else None
        )
        if covered and not full:
            continue
        state.modify_tool(project_key, tool, lambda s: s.model_copy(update={"requested_at": now}))
        sender.send(
            ToolExport(
                project_key=project_key,
                tool=tool,
                pass_id=new_pass_id(),
                reason=reason,
                full=full,
            )
        )
        sent += 1
    log.info(
        "export requested",
        extra={
            "project": project_key,
            "operation": "export_request",
            "sent": sent,
            "reason": reason,
        },
    )
    return sent


def _covered(state: ToolState, now: datetime, poll_gap: timedelta | None) -> bool:
    """Whether a queued pass, or (for a poll) a very recent listing, already covers a request."""
    queued = state.requested_at is not None and (
        state.pass_started_at is None or state.requested_at > state.pass_started_at
    )
    if queued and state.requested_at is not None and now - state.requested_at < QUEUED_FOR:
        return True
    if poll_gap is None:
        return False
    return state.listed_at is not None and now - state.listed_at < poll_gap
