"""What every initial-sync step works with: the project, its run, the clients and the state.

A step first loads its `Run`; None means the message is stale (the project was disconnected, or
a newer run replaced the one the message belongs to) and is dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared import runtime
from shared.config import Settings, get_settings
from shared.graph.client import GraphClient
from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from shared.queues import QueueSender
from shared.state import StateStore
from shared.state.log import LogAction, LogEntry
from shared.state.projects import Phase, Project

log = logging.getLogger("sync")


def job_name(run_id: str) -> str:
    return f"initial-{run_id}"


@dataclass
class Run:
    settings: Settings
    store: StateStore
    procore: ProcoreClient
    graph: GraphClient
    sender: QueueSender
    project: Project
    run_id: str
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Who this delivery is, for claims on work units."""
    _entries: list[LogEntry] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter)

    @property
    def key(self) -> str:
        return self.project.key

    @property
    def job(self) -> str:
        return job_name(self.run_id)

    @property
    def scope(self) -> Scope:
        return Scope.project(self.project.company_id, self.project.project_id)

    @property
    def drive_id(self) -> str:
        return self.project.drive_id

    @property
    def paused(self) -> bool:
        return self.project.phase == Phase.PAUSED

    def record(self, action: LogAction, **fields: Any) -> None:
        """One line for the project's Log (written by `flush`), and a structured log record."""
        self._entries.append(self.store.log.entry(self.key, action, **fields))
        log.info(
            "%s %s",
            action.value,
            fields.get("path") or fields.get("name") or "",
            extra={
                "project": self.key,
                "run": self.run_id,
                "operation": action.value,
                **{f"item_{k}": v for k, v in fields.items() if v is not None},
            },
        )

    def count(self, **deltas: int) -> None:
        """Add to the project's counters (written by `flush`)."""
        self._counts.update({k: v for k, v in deltas.items() if v})

    def flush(self) -> None:
        """Write the step's log lines and counters: a few table writes per step, not per file,
        so parallel workers do not contend on the project row for every file."""
        entries, self._entries = self._entries, []
        counts, self._counts = dict(self._counts), Counter()
        if entries:
            self.store.log.append_many(entries)
        if counts:
            self.store.projects.add_counts(self.key, **counts)

    def refresh(self) -> Project:
        self.project = self.store.projects.get(self.key)
        return self.project


def load_run(project_key: str, run_id: str) -> Run | None:
    """The run a message belongs to, or None when the message is stale."""
    store = runtime.state_store()
    project = store.projects.find(project_key)
    if project is None or project.initial_run_id != run_id:
        log.info(
            "stale message dropped",
            extra={"project": project_key, "run": run_id, "operation": "drop"},
        )
        return None
    return Run(
        settings=get_settings(),
        store=store,
        procore=runtime.procore_client(),
        graph=runtime.graph_client(),
        sender=runtime.queue_sender(),
        project=project,
        run_id=run_id,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
