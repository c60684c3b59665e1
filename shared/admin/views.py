"""What the admin API answers with: a project as listed, and a project shown in full.

Built from the stored `Project`, its log, its pending SharePoint changes and its held-back
deletes; never carries a secret. A shown project stays bounded in size: lists are cut to their
first entries (with the full count beside them) and free text to `VIEW_TEXT_MAX_CHARS`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from shared.state.log import LogAction, LogEntry, LogSide
from shared.state.projects import Phase, Project, ProjectCounters, SyncMode
from shared.sync.model import ConflictPolicy

RECENT_LOG_ENTRIES = 50
LOG_WINDOW = 300
"""Log entries read for a shown project: the newest RECENT_LOG_ENTRIES are its recent activity,
the conflicts are looked for among all of them."""
CONFLICTS_SHOWN = 20
PENDING_SHOWN = 50
HELD_SHOWN = 50
VIEW_TEXT_MAX_CHARS = 500
"""Names, paths, reasons and details are cut to this length in views (the log keeps more)."""


def _cut(value: str | None) -> str | None:
    if value is not None and len(value) > VIEW_TEXT_MAX_CHARS:
        return value[: VIEW_TEXT_MAX_CHARS - 1] + "…"
    return value


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProcoreLocation(View):
    company_id: int
    project_id: int


class SharePointLocation(View):
    """Where the project's files are: as connected (names) and as resolved (ids)."""

    site_hostname: str | None
    site_path: str | None
    library: str | None
    folder_path: str
    site_id: str
    drive_id: str
    folder_id: str | None


class ProjectSummary(View):
    """A project as `GET /api/projects` lists it."""

    key: str
    name: str
    phase: Phase
    mode: SyncMode | None
    counters: ProjectCounters
    last_error: str | None
    last_error_at: datetime | None
    procore: ProcoreLocation
    sharepoint: SharePointLocation


class LogLine(View):
    at: datetime
    action: LogAction
    side: LogSide | None = None
    name: str | None = None
    path: str | None = None
    reason: str | None = None
    detail: str | None = None
    procore_id: int | None = None
    sharepoint_id: str | None = None

    _cut_text = field_validator("name", "path", "reason", "detail")(_cut)


class PendingLine(View):
    """A SharePoint change waiting for the project's next pass (as the drive's delta gave it)."""

    item_id: str
    area: str
    name: str | None
    deleted: bool
    is_folder: bool
    seen_at: datetime

    _cut_text = field_validator("name")(_cut)


class PendingSection(View):
    count: int
    items: list[PendingLine]
    """The first PENDING_SHOWN of them."""


class HeldDeleteLine(View):
    """A delete held back by the delete limit or a safety stop, waiting for an answer."""

    name: str
    path: str
    deleted_on: str
    is_folder: bool
    held_at: datetime
    procore_id: int
    sharepoint_id: str

    _cut_text = field_validator("name", "path")(_cut)


class HeldDeletesSection(View):
    count: int
    items: list[HeldDeleteLine]
    """The first HELD_SHOWN of them."""


class Timestamps(View):
    created_at: datetime | None
    updated_at: datetime | None
    initial_sync_started_at: datetime | None
    initial_sync_finished_at: datetime | None
    last_pass_at: datetime | None
    paused_at: datetime | None


class ProjectDetail(ProjectSummary):
    """A project as `GET /api/projects/{key}` shows it (and as connect/pause/resume answer)."""

    paused_from: Phase | None
    run_id: str | None
    run_counters: ProjectCounters
    tools: list[str]
    tool_folders: dict[str, str]
    recipients: list[str]
    conflict_policy: ConflictPolicy
    delete_limit: int | None
    timestamps: Timestamps
    stopped_reason: str | None
    deletes_decision: Literal["approve", "restore"] | None
    recent_activity: list[LogLine]
    """The newest RECENT_LOG_ENTRIES log entries, newest first."""
    recent_log: list[LogLine]
    """The same entries under their older name, for existing clients."""
    conflicts: list[LogLine]
    """Conflict entries among the newest LOG_WINDOW log entries (at most CONFLICTS_SHOWN)."""
    pending: PendingSection
    held_deletes: HeldDeletesSection


class ProjectList(View):
    projects: list[ProjectSummary]


def _summary_fields(project: Project) -> dict[str, object]:
    return {
        "key": project.key,
        "name": project.project_name,
        "phase": project.phase,
        "mode": project.mode,
        "counters": project.counters,
        "last_error": project.last_error,
        "last_error_at": project.last_error_at,
        "procore": ProcoreLocation(company_id=project.company_id, project_id=project.project_id),
        "sharepoint": SharePointLocation(
            site_hostname=project.site_hostname,
            site_path=project.site_path,
            library=project.library,
            folder_path=project.folder_path,
            site_id=project.site_id,
            drive_id=project.drive_id,
            folder_id=project.folder_item_id,
        ),
    }


def summary(project: Project) -> ProjectSummary:
    return ProjectSummary.model_validate(_summary_fields(project))


def log_line(entry: LogEntry) -> LogLine:
    return LogLine.model_validate(entry.model_dump(exclude={"project_key", "row"}))


def detail(
    project: Project,
    log: list[LogEntry],
    *,
    pending: PendingSection | None = None,
    held: HeldDeletesSection | None = None,
) -> ProjectDetail:
    """The project in full; `log` newest first (up to LOG_WINDOW entries)."""
    recent = [log_line(entry) for entry in log[:RECENT_LOG_ENTRIES]]
    conflicts = [log_line(e) for e in log if e.action == LogAction.CONFLICT][:CONFLICTS_SHOWN]
    return ProjectDetail.model_validate(
        {
            **_summary_fields(project),
            "paused_from": project.paused_from,
            "run_id": project.initial_run_id,
            "run_counters": project.run_counters,
            "tools": project.tools,
            "tool_folders": project.tool_folders,
            "recipients": project.recipients,
            "conflict_policy": project.conflict_policy,
            "delete_limit": project.delete_limit,
            "timestamps": Timestamps(
                created_at=project.created_at,
                updated_at=project.updated_at,
                initial_sync_started_at=project.initial_sync_started_at,
                initial_sync_finished_at=project.initial_sync_finished_at,
                last_pass_at=project.last_pass_at,
                paused_at=project.paused_at,
            ),
            "stopped_reason": _cut(project.stopped_reason),
            "deletes_decision": project.deletes_decision,
            "recent_activity": recent,
            "recent_log": recent,
            "conflicts": conflicts,
            "pending": pending or PendingSection(count=0, items=[]),
            "held_deletes": held or HeldDeletesSection(count=0, items=[]),
        }
    )
