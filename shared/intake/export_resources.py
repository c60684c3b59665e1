"""The Procore webhook resources of the one-way tools a project exports (issue #7).

`shared.export.schedule.webhook_resources` names them once the export lands; until then no tool
resource is registered (the safety net's polls still reach those tools).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def _none(tools: Sequence[str]) -> list[str]:
    return []


def export_webhook_resources() -> Callable[[Sequence[str]], list[str]]:
    """`webhook_resources(tools)` of the export, or a stand-in naming nothing."""
    try:
        from shared.export.schedule import webhook_resources
    except ImportError:
        return _none
    found: Callable[[Sequence[str]], list[str]] = webhook_resources
    return found
