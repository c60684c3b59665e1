"""Export figures: Procore requests per exported item and items exported per second.

One local stack (Azurite, both emulators, the app under devhost); a project seeded with
`--per-tool` items in each of the eight one-way tools (≥ 500 in all by default, each with one
attachment; drawings are revisions with their own PDF), connected with every tool enabled. The
clock runs from the connect to the moment every tool's first export pass is done.

`python -m bench.export [--per-tool N]`. Procore's hourly budget is the physical limit
(DESIGN §5), so requests per item is the figure that matters most; the list pages are shared by
their items, each item costs its detail (only where the list lacks what the PDF needs) and one
download per attachment (or per drawing PDF).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.figures import emit
from devhost.services import Services
from devhost.stack import Stack, poll, start_stack
from shared.export.state import ExportState
from shared.export.tools import EXPORT_TOOLS
from shared.state.projects import Phase

PROJECT = 4300008101
DEFAULT_PER_TOOL = 70
SEED_TOOLS = {name: name for name in EXPORT_TOOLS} | {"drawings": "drawing_revisions"}
PROCORE_API_PREFIXES = ("/rest/", "/oauth/", "/prostore/")
GENEROUS_PROCORE = ("--spike-limit", "1000000", "--hourly-limit", "100000000")


def procore_requests(stack: Stack) -> int:
    by_endpoint = stack.procore.counters()["by_endpoint"]
    return sum(
        count
        for endpoint, count in by_endpoint.items()
        if endpoint.split(" ", 1)[-1].startswith(PROCORE_API_PREFIXES)
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.export")
    parser.add_argument("--per-tool", type=int, default=DEFAULT_PER_TOOL)
    args = parser.parse_args(argv)
    items = args.per_tool * len(EXPORT_TOOLS)
    with Services() as services, tempfile.TemporaryDirectory() as cert_dir:
        azurite = services.start_azurite()
        stack = start_stack(
            services,
            azurite,
            Path(cert_dir),
            procore_args=GENEROUS_PROCORE,
            env_overrides={"EXPORT_PAGE_SIZE": "25", "PROCORE_PER_PAGE": "1000"},
        )
        stack.graph.call("POST", "/settings", {"ru_per_minute": 1_000_000})
        spec = {
            "projects": [
                {
                    "id": PROJECT,
                    "name": "Export Bench",
                    "documents": {},
                    "tools": {seed: args.per_tool for seed in SEED_TOOLS.values()},
                }
            ]
        }
        stack.procore.call("POST", "/seed", spec)
        stack.graph.seed({"Projects": {"Export Bench": {}}})
        stack.procore.call("DELETE", "/counters")
        started = time.monotonic()
        project = stack.connect(
            PROJECT, "Export Bench", "Projects/Export Bench", tools=["documents", *EXPORT_TOOLS]
        )
        state = ExportState(stack.store().items.table)

        def exported() -> bool:
            tools = state.tools(project.key)
            return len(tools) == len(EXPORT_TOOLS) and all(
                t.watermark is not None and t.pass_id is None for t in tools.values()
            )

        poll("every tool exported", exported, deadline_s=900, every_s=0.5)
        elapsed = time.monotonic() - started
        stack.wait_for_phase(project.key, Phase.REGULAR, deadline_s=120)
        requests = procore_requests(stack)
    emit("export_items", items)
    emit("export_seconds", elapsed)
    emit("export_items_per_s", items / elapsed)
    emit("export_procore_requests_per_item", requests / items)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
