"""The first export of a project's tools, as part of its initial sync run (DESIGN §1.2): one unit
per enabled export tool in the run's job, so the run completes only when the export is done."""

from __future__ import annotations

from collections.abc import Iterable

from shared.export.tools import EXPORT_TOOLS
from shared.queues import ToolExport


def initial_unit(tool: str) -> str:
    """The unit an initial sync run registers for a tool's first export."""
    return f"export:{tool}"


def initial_exports(
    project_key: str, tools: Iterable[str], run_id: str
) -> list[tuple[str, ToolExport]]:
    """(unit id, message) per enabled export tool; the pass id is fixed per run and tool, so a
    redelivered start step sends the same pass again (which redoes nothing)."""
    return [
        (
            initial_unit(tool),
            ToolExport(
                project_key=project_key,
                tool=tool,
                pass_id=f"{run_id}-{tool}"[:100],
                full=True,
                initial_run_id=run_id,
                reason="initial sync",
            ),
        )
        for tool in tools
        if tool in EXPORT_TOOLS
    ]
