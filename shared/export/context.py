"""What every export step works with: the project, the tool, the clients, the state, and the
log lines and counters it writes once at the end of the step (not per file)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared import runtime
from shared.config import Settings, get_settings
from shared.export.state import ExportState
from shared.export.tools import EXPORT_TOOLS, ExportTool
from shared.graph.client import GraphClient
from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from shared.queues import QueueSender, ToolExport
from shared.state import StateStore
from shared.state.log import LogAction, LogEntry
from shared.state.projects import Phase, Project

log = logging.getLogger("export")

DEFAULT_LIBRARY = "Shared Documents"


@dataclass
class ExportContext:
    settings: Settings
    store: StateStore
    state: ExportState
    procore: ProcoreClient
    graph: GraphClient
    sender: QueueSender
    project: Project
    tool: ExportTool
    _entries: list[LogEntry] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter)

    @property
    def key(self) -> str:
        return self.project.key

    @property
    def scope(self) -> Scope:
        return Scope.project(self.project.company_id, self.project.project_id)

    @property
    def drive_id(self) -> str:
        return self.project.drive_id

    @property
    def folder_name(self) -> str:
        """The tool's folder under the project's folder (configurable per project)."""
        from shared.mapping import DEFAULT_TOOL_FOLDERS, Tool

        default = DEFAULT_TOOL_FOLDERS[Tool(self.tool.name)]
        return self.project.tool_folders.get(self.tool.name, default)

    @property
    def base_path_length(self) -> int:
        """Characters of the decoded site-relative path up to the tool folder (API-NOTES B6)."""
        site = (self.project.site_path or "").strip("/")
        parts = [site, self.project.library or DEFAULT_LIBRARY, self.project.folder_path]
        return len("/".join(p for p in parts if p)) + 1 + len(self.folder_name)

    def record(self, action: LogAction, **fields: Any) -> None:
        self._entries.append(self.store.log.entry(self.key, action, **fields))
        log.info(
            "%s %s",
            action.value,
            fields.get("path") or fields.get("name") or "",
            extra={
                "project": self.key,
                "tool": self.tool.name,
                "operation": action.value,
                **{f"item_{k}": v for k, v in fields.items() if v is not None},
            },
        )

    def count(self, **deltas: int) -> None:
        self._counts.update({k: v for k, v in deltas.items() if v})

    def flush(self) -> None:
        entries, self._entries = self._entries, []
        counts, self._counts = dict(self._counts), Counter()
        if entries:
            self.store.log.append_many(entries)
        if counts:
            self.store.projects.add_counts(self.key, **counts)


def load_context(message: ToolExport) -> ExportContext | None:
    """The context of a message, or None when it is stale (project gone, tool not enabled or
    unknown, or a newer initial sync run replaced the one it belongs to)."""
    store = runtime.state_store()
    project = store.projects.find(message.project_key)
    tool = EXPORT_TOOLS.get(message.tool)
    stale = (
        project is None
        or tool is None
        or message.tool not in project.tools
        or project.phase in (Phase.ERROR, Phase.CONNECTING)
        or (message.initial_run_id is not None and project.initial_run_id != message.initial_run_id)
    )
    if stale or project is None or tool is None:
        log.info(
            "stale export message dropped",
            extra={"project": message.project_key, "tool": message.tool, "operation": "drop"},
        )
        return None
    return ExportContext(
        settings=get_settings(),
        store=store,
        state=ExportState(store.items.table),
        procore=runtime.procore_client(),
        graph=runtime.graph_client(),
        sender=runtime.queue_sender(),
        project=project,
        tool=tool,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
