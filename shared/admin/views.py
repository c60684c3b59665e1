"""What the admin API answers with: a project as listed, and a project shown in full.

Built from the stored `Project` (and its log); never carries a secret.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.state.log import LogAction, LogEntry, LogSide
from shared.state.projects import Phase, Project, ProjectCounters, SyncMode
from shared.sync.model import ConflictPolicy

RECENT_LOG_ENTRIES = 50


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
    recent_log: list[LogLine]


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


def detail(project: Project, log: list[LogEntry]) -> ProjectDetail:
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
            "recent_log": [
                LogLine.model_validate(entry.model_dump(exclude={"project_key", "row"}))
                for entry in log
            ],
        }
    )
