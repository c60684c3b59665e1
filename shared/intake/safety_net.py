"""The per-minute safety net: poll what no webhook told us about (DESIGN §1.3; Graph never
reports missed drive notifications, API-NOTES B4, and Procore discards after 12 h, A9).

Each REGULAR project whose last pass is older than PROCORE_POLL_INTERVAL_S (or never ran) gets
a `ProjectTick(reason="poll")` (the pass reads Procore's documents index by `updated_at` since its
watermark, with overlap); each drive with REGULAR projects whose delta was last pulled longer
than GRAPH_DELTA_INTERVAL_S ago gets a `DeltaPull(reason="poll")`. A project whose pass is
running, or a drive whose pull holds the lease, is left alone, so a slow pass does not collect a
tick a minute. Cost: one Projects query and one Drives read per such drive.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.intake.context import IntakeContext
from shared.queues import DeltaPull, ProjectTick
from shared.state.drives import Drive
from shared.state.projects import Phase, Project

log = logging.getLogger("intake.poll")


@dataclass
class PollReport:
    ticks: list[str] = field(default_factory=list)
    pulls: list[str] = field(default_factory=list)


def _due(last: datetime | None, now: datetime, interval_s: int) -> bool:
    return last is None or now - last >= timedelta(seconds=interval_s)


def _pass_running(project: Project, now: datetime) -> bool:
    return (
        project.pass_owner is not None
        and project.pass_until is not None
        and (project.pass_until > now)
    )


def _pull_running(drive: Drive, now: datetime) -> bool:
    return (
        drive.lease_owner is not None
        and drive.lease_expires_at is not None
        and (drive.lease_expires_at > now)
    )


def new_poll_id() -> str:
    return f"poll-{uuid.uuid4().hex}"


def poll(context: IntakeContext) -> PollReport:
    """Send the due ticks and pulls; what was sent."""
    settings = context.settings
    now = context.clock()
    report = PollReport()
    regular = [p for p in context.store.projects.list_projects() if p.phase == Phase.REGULAR]
    for project in regular:
        if _pass_running(project, now):
            continue
        if _due(project.last_pass_at, now, settings.procore_poll_interval_s):
            context.queue.send(
                ProjectTick(project_key=project.key, tick_id=new_poll_id(), reason="poll")
            )
            report.ticks.append(project.key)
    for drive_id in sorted({p.drive_id for p in regular}):
        drive = context.store.drives.find(drive_id)
        if drive is not None and _pull_running(drive, now):
            continue
        last = None if drive is None else drive.delta_link_at
        if _due(last, now, settings.graph_delta_interval_s):
            context.queue.send(DeltaPull(drive_id=drive_id, reason="poll"))
            report.pulls.append(drive_id)
    if report.ticks or report.pulls:
        log.info(
            "safety net polled",
            extra={"operation": "poll", "projects": report.ticks, "drives": report.pulls},
        )
    return report
