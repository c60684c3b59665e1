"""The exported tools, by their user-facing name (`shared.mapping.Tool` values)."""

from __future__ import annotations

from shared.export.tools.base import Download, ExportTool
from shared.export.tools.commitments import Commitments
from shared.export.tools.drawings import Drawings
from shared.export.tools.forms import Forms
from shared.export.tools.incidents import Incidents
from shared.export.tools.inspections import Inspections
from shared.export.tools.observations import Observations
from shared.export.tools.rfis import Rfis
from shared.export.tools.submittals import Submittals

EXPORT_TOOLS: dict[str, ExportTool] = {
    tool.name: tool
    for tool in (
        Rfis(),
        Submittals(),
        Drawings(),
        Forms(),
        Observations(),
        Inspections(),
        Incidents(),
        Commitments(),
    )
}

__all__ = ["EXPORT_TOOLS", "Download", "ExportTool"]
