"""The state store: the five tables of DESIGN §3 behind one object built from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from azure.data.tables import TableServiceClient

from shared.config import Settings
from shared.state.clock import Clock, utc_now
from shared.state.drives import DriveRepository
from shared.state.items import ItemRepository
from shared.state.log import LogRepository
from shared.state.pending import HeldDeleteRepository, PendingRepository, SkippedRepository
from shared.state.projects import ProjectRepository
from shared.state.tables import StateTable
from shared.state.work import WorkRepository

TABLE_BASES = ("Projects", "Items", "Drives", "Work", "Log")
"""The state tables of DESIGN §3, without the TABLE_PREFIX (infra creates the same list)."""


@dataclass(frozen=True)
class StateStore:
    """Projects, Items, Drives, Work and Log repositories over one storage account."""

    projects: ProjectRepository
    items: ItemRepository
    drives: DriveRepository
    work: WorkRepository
    log: LogRepository
    pending: PendingRepository
    """SharePoint changes routed to a project, waiting for its pass (in the Work table)."""
    held: HeldDeleteRepository
    """Deletes held back by the delete limit or a safety stop (in the Work table)."""
    skipped: SkippedRepository
    """Procore changes refused for good on the SharePoint side (in the Work table)."""

    @classmethod
    def from_service(
        cls, service: TableServiceClient, settings: Settings, *, clock: Clock = utc_now
    ) -> StateStore:
        def table(base: str) -> StateTable:
            return StateTable(service, settings.table_name(base))

        return cls(
            projects=ProjectRepository(table("Projects"), clock=clock),
            items=ItemRepository(table("Items"), clock=clock),
            drives=DriveRepository(table("Drives"), clock=clock),
            work=WorkRepository(table("Work"), clock=clock),
            log=LogRepository(table("Log"), clock=clock),
            pending=PendingRepository(table("Work"), clock=clock),
            held=HeldDeleteRepository(table("Work"), clock=clock),
            skipped=SkippedRepository(table("Work"), clock=clock),
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock = utc_now) -> StateStore:
        """The store for the app's storage account (one HTTP connection pool for all tables)."""
        from shared.storage import table_service

        return cls.from_service(table_service(settings), settings, clock=clock)
