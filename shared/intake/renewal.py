"""The renewal timer's run (every 30 min): keep each watched drive's subscription alive, delete
those of drives nobody watches any more, retry failed Procore hook registrations, and purge old
event ids.

A drive is watched while a project on it is in initial sync, regular sync or paused (a paused
project keeps receiving changes into its pending rows). Each drive and project is handled on its
own: one failure is logged and the others go on; the next run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from shared.errors import ApiError
from shared.intake.context import IntakeContext
from shared.intake.event_ledger import EventLedger
from shared.intake.project_intake import ProjectIntake
from shared.state import StateError
from shared.state.codec import entity_etag, from_properties
from shared.state.drives import PARTITION as DRIVES_PARTITION
from shared.state.drives import Drive
from shared.state.projects import Phase

log = logging.getLogger("intake.renewal")

WATCHED_PHASES = frozenset({Phase.INITIAL_SYNC, Phase.REGULAR, Phase.PAUSED})
HOOKED_PHASES = frozenset({Phase.INITIAL_SYNC, Phase.REGULAR})


@dataclass
class RenewalReport:
    subscribed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    hooks_registered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    events_purged: int = 0


def all_drives(context: IntakeContext) -> Iterator[Drive]:
    table = context.store.drives.table
    for entity in table.query(
        "PartitionKey eq @pk", {"pk": DRIVES_PARTITION}, partition_key=DRIVES_PARTITION
    ):
        yield from_properties(Drive, entity, etag=entity_etag(entity))


def renew(context: IntakeContext, intake: ProjectIntake) -> RenewalReport:
    report = RenewalReport()
    projects = list(context.store.projects.list_projects())
    watched = sorted({p.drive_id for p in projects if p.phase in WATCHED_PHASES})
    try:
        intake.subscriptions.forget_lost(watched)
    except (ApiError, StateError) as exc:
        report.failed.append(f"subscription list: {exc}")
    for drive_id in watched:
        try:
            intake.subscriptions.ensure(drive_id)
            report.subscribed.append(drive_id)
        except (ApiError, StateError) as exc:
            report.failed.append(f"drive {drive_id}: {exc}")
            log.warning(
                "graph subscription not renewed",
                extra={"drive_id": drive_id, "operation": "renew", "error": str(exc)},
            )
    for drive in all_drives(context):
        if drive.drive_id in watched or drive.subscription_id is None:
            continue
        try:
            intake.subscriptions.drop(drive)
            report.dropped.append(drive.drive_id)
        except (ApiError, StateError) as exc:
            report.failed.append(f"drive {drive.drive_id}: {exc}")
            log.warning(
                "graph subscription not deleted",
                extra={"drive_id": drive.drive_id, "operation": "drop", "error": str(exc)},
            )
    for project in projects:
        if project.phase in HOOKED_PHASES and project.procore_hook_id is None:
            after = intake.register_hook(project)
            if after.procore_hook_id is not None:
                report.hooks_registered.append(project.key)
            else:
                report.failed.append(f"project {project.key}: {after.procore_hook_error}")
    keep = timedelta(hours=context.settings.webhook_event_keep_h)
    try:
        report.events_purged = EventLedger(context.store.work.table).purge(context.clock(), keep)
    except StateError as exc:
        report.failed.append(f"event purge: {exc}")
    log.info(
        "renewal done",
        extra={
            "operation": "renewal",
            "subscribed": len(report.subscribed),
            "dropped": len(report.dropped),
            "hooks_registered": len(report.hooks_registered),
            "failed": len(report.failed),
            "events_purged": report.events_purged,
        },
    )
    return report
