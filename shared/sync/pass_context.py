"""What one change pass carries along: the project, its settings and store, the log entries it
will write and the items it had to leave for later."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.config import Settings
from shared.procore.scope import Scope
from shared.state import StateStore
from shared.state.log import LogAction, LogEntry
from shared.state.projects import Project

PASS_LEASE = timedelta(minutes=2)
"""How long a pass holds its project; a running pass extends it as it goes (`keep_lease`), so
a crashed one blocks the project for two minutes at most."""
LEASE_RENEW_S = 30


@dataclass
class Pass:
    settings: Settings
    store: StateStore
    project: Project
    entries: list[LogEntry] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    """Names of the items left for a later pass (not ready, or failed)."""
    deferred_sharepoint: set[str] = field(default_factory=set)
    """driveItem ids whose pending change must stay pending."""
    deferred_procore: set[int] = field(default_factory=set)
    """Procore ids whose change must be seen again (the watermark stays)."""
    gone_sharepoint: set[str] = field(default_factory=set)
    """SharePoint items deleted in this batch whose delete is not carried out yet."""
    gone_procore: set[int] = field(default_factory=set)
    """Procore items deleted in this batch whose delete is not carried out yet."""
    owner: str = ""
    """The tick holding the project's pass lease."""
    lease_renewed_at: float = 0.0
    """When the lease was last extended (monotonic seconds)."""
    read_procore_documents: bool = True
    """Whether to read Procore's documents index (a SharePoint-only tick need not)."""
    read_photos: bool = True
    """Whether to run the photos part (it reads Procore's albums and changed images)."""
    delete_allowance: int | None = None
    """Deletes the photos may still carry out in this pass (None: no limit, e.g. approved)."""
    deletes_carried: int = 0
    """Photo deletes carried out in this pass (they count against the limit)."""
    held_now: int = 0
    """Deletes held back in this pass (an email goes out when any are)."""

    @property
    def key(self) -> str:
        return self.project.key

    @property
    def scope(self) -> Scope:
        return Scope.project(self.project.company_id, self.project.project_id)

    @property
    def drive(self) -> str:
        return self.project.drive_id

    def keep_lease(self) -> None:
        """Extend this pass's lease on the project, every half minute while it works."""
        if time.monotonic() - self.lease_renewed_at < LEASE_RENEW_S or not self.owner:
            return
        self.lease_renewed_at = time.monotonic()
        until = datetime.now(UTC) + PASS_LEASE
        self.store.projects.modify(
            self.key,
            lambda p: (
                p.model_copy(update={"pass_until": until}) if p.pass_owner == self.owner else None
            ),
        )

    def record(self, action: LogAction, **fields: Any) -> None:
        self.entries.append(self.store.log.entry(self.key, action, **fields))
