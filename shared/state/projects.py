"""The Projects table: one row per connected project (partition `project`, row = project key).

Holds the mapping (Procore company/project -> SharePoint site, drive and folder), the project's
settings, its phase, the Procore change watermark (the SharePoint delta link lives on the drive,
DESIGN §5: one cursor per drive), counters and the last error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.mapping import project_key
from shared.state.codec import Entity
from shared.state.repository import Repository
from shared.sync.model import ConflictPolicy

PARTITION = "project"
LAST_ERROR_MAX_CHARS = 4000
"""Last errors are cut to this length so the row stays far below the 64 KiB string limit."""
ALERTS_REMEMBERED = 20
"""Run ids of sent alert emails kept on the project (a redelivery comes soon after)."""


class Phase(StrEnum):
    """Where a project is in its life: connecting -> initial_sync -> regular -> paused/error."""

    CONNECTING = "connecting"
    INITIAL_SYNC = "initial_sync"
    REGULAR = "regular"
    PAUSED = "paused"
    ERROR = "error"


class SyncMode(StrEnum):
    """The initial sync's mode, chosen from what the destination held (DESIGN §1)."""

    MIRROR = "mirror"
    MERGE = "merge"


class ProjectCounters(BaseModel):
    """Running totals shown in the status page and the notification summary."""

    model_config = ConfigDict(frozen=True)

    folders_created: int = 0
    files_copied: int = 0
    files_updated: int = 0
    bytes_copied: int = 0
    moved: int = 0
    renamed: int = 0
    deleted: int = 0
    conflicts: int = 0
    skipped: int = 0
    errors: int = 0
    files_to_sharepoint: int = 0
    files_to_procore: int = 0
    files_linked: int = 0
    deferred: int = 0

    def plus(self, **deltas: int) -> ProjectCounters:
        """These counters with `deltas` added (unknown names are an error)."""
        unknown = set(deltas) - set(type(self).model_fields)
        if unknown:
            raise ValueError(f"unknown counters: {sorted(unknown)}")
        return self.model_copy(
            update={name: getattr(self, name) + delta for name, delta in deltas.items()}
        )


class Project(Entity):
    """A connected project: mapping, settings, phase, cursor, counters."""

    company_id: int
    project_id: int
    project_name: str
    site_id: str
    drive_id: str
    site_hostname: str | None = Field(default=None, description="SharePoint host, as connected.")
    site_path: str | None = Field(default=None, description="Site path, as connected.")
    library: str | None = Field(default=None, description="Library name, as connected.")
    folder_path: str = Field(description="The mapped folder's path in the drive.")
    folder_item_id: str | None = Field(default=None, description="driveItem id of that folder.")
    tool_folders: dict[str, str] = Field(
        default_factory=lambda: {"documents": "Documents", "photos": "Photos"},
        description="Folder name per tool inside the mapped folder.",
    )
    tools: list[str] = Field(default_factory=lambda: ["documents", "photos"])
    recipients: list[str] = Field(default_factory=list, description="Notification addresses.")
    conflict_policy: ConflictPolicy = ConflictPolicy.NEWEST_WINS
    delete_limit: int | None = Field(
        default=None, description="Deletes carried across per 24 h; None = DELETE_LIMIT_PER_DAY."
    )
    phase: Phase = Phase.CONNECTING
    paused_from: Phase | None = Field(
        default=None, description="The phase a paused project resumes to."
    )
    paused_at: datetime | None = None
    mode: SyncMode | None = None
    procore_watermark: datetime | None = Field(
        default=None, description="Procore changes up to this time are applied or queued."
    )
    photo_watermark: datetime | None = Field(
        default=None, description="Procore photo changes up to this time are applied."
    )
    counters: ProjectCounters = Field(default_factory=ProjectCounters)
    run_counters: ProjectCounters = Field(
        default_factory=ProjectCounters, description="Counters of the current initial sync run."
    )
    initial_run_id: str | None = Field(
        default=None, description="The current (or last) initial sync run; older messages drop."
    )
    started_run_id: str | None = Field(
        default=None, description="The run whose cursors were captured and counters reset."
    )
    tool_folder_ids: dict[str, str] = Field(
        default_factory=dict, description="driveItem id of each tool's folder."
    )
    delta_link: str | None = Field(
        default=None, description="SharePoint delta link up to which changes are applied."
    )
    pass_owner: str | None = Field(default=None, description="The change pass holding the lease.")
    pass_until: datetime | None = Field(default=None, description="When that lease expires.")
    pass_again: bool = Field(
        default=False,
        description="A tick came while a pass ran: the running pass sends one more when done.",
    )
    recheck_at: datetime | None = Field(
        default=None, description="When the re-check of items left for later is due."
    )
    initial_delta_link: str | None = Field(
        default=None, description="SharePoint delta link taken before the run enumerated."
    )
    notified_run_id: str | None = Field(
        default=None, description="The run whose completion email was sent."
    )
    notifying_until: datetime | None = Field(
        default=None, description="A completion email is being sent until then (one sender)."
    )
    last_error: str | None = None
    last_error_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    initial_sync_started_at: datetime | None = None
    initial_sync_finished_at: datetime | None = None
    last_pass_at: datetime | None = None
    recent_deletes: list[datetime] = Field(
        default_factory=list, description="When deletes were carried across (last 24 h)."
    )
    deletes_decision: Literal["approve", "restore"] | None = Field(
        default=None,
        description="The administrator's answer to the held-back deletes, for the next pass.",
    )
    stopped_reason: str | None = Field(
        default=None, description="Why a safety stop halted the regular sync (phase error)."
    )
    alerted_run_ids: list[str] = Field(
        default_factory=list,
        description="Alert emails (held deletes, safety stops) sent, by run id; newest last, "
        "the last ALERTS_REMEMBERED kept.",
    )
    alerting_run_id: str | None = Field(
        default=None, description="The alert email being sent (one sender at a time)."
    )
    alerting_until: datetime | None = Field(
        default=None, description="Until when that sender holds its claim."
    )
    procore_hook_id: int | None = Field(
        default=None, description="The Procore hook delivering this project's webhooks."
    )
    procore_hook_error: str | None = Field(
        default=None,
        description="Why the hook could not be registered (the renewal timer tries again).",
    )

    @property
    def key(self) -> str:
        return project_key(self.company_id, self.project_id)


class ProjectRepository(Repository[Project]):
    """Reads and writes the Projects table."""

    model = Project

    def _stamped(self, project: Project, *, creating: bool = False) -> Project:
        now = self.clock()
        update: dict[str, object] = {"updated_at": now}
        if creating and project.created_at is None:
            update["created_at"] = now
        return project.model_copy(update=update)

    def create(self, project: Project) -> Project:
        """Store a new project; `AlreadyExists` if its key is taken."""
        return self._create(PARTITION, project.key, self._stamped(project, creating=True))

    def get(self, key: str) -> Project:
        """The project; `EntityNotFound` if there is none."""
        return self._get(PARTITION, key)

    def find(self, key: str) -> Project | None:
        return self._find(PARTITION, key)

    def list_projects(self) -> Iterator[Project]:
        """Every project (one partition; paged lazily)."""
        return self._partition(PARTITION)

    def replace(self, project: Project) -> Project:
        """Write the project If-Match its ETag; `ConcurrencyConflict` if it changed meanwhile."""
        return self._replace(PARTITION, project.key, self._stamped(project))

    def modify(self, key: str, change: Callable[[Project], Project | None]) -> Project:
        """Read-modify-write with re-reads on lost races (`change` may run more than once)."""
        return self._modify(
            PARTITION,
            key,
            lambda current: (
                None if (updated := change(current)) is None else self._stamped(updated)
            ),
        )

    def set_phase(self, key: str, phase: Phase, *, error: str | None = None) -> Project:
        """Move the project to `phase` (recording `error` as its last error when given)."""
        update: dict[str, object] = {"phase": phase}
        if error is not None:
            update["last_error"] = error[:LAST_ERROR_MAX_CHARS]
            update["last_error_at"] = self.clock()
        return self.modify(key, lambda project: project.model_copy(update=update))

    def add_counts(self, key: str, **deltas: int) -> Project:
        """Add to the project's counters and its current run's (safe under concurrent writers)."""
        return self.modify(
            key,
            lambda project: project.model_copy(
                update={
                    "counters": project.counters.plus(**deltas),
                    "run_counters": project.run_counters.plus(**deltas),
                }
            ),
        )

    def delete(self, project: Project) -> None:
        """Remove the project row (If-Match its ETag when it has one)."""
        self.table.delete(PARTITION, project.key, project.etag)
