"""Initial sync figures: speed, requests per file on each API, Table Storage operations per file,
429s under a binding Procore limit, worker memory, and what a merge of identical trees costs.

One local stack (Azurite with its debug log, both emulators, the app under devhost) serves three
runs, each on a Procore project of its own with counters reset before it:

1. mirror: `--files` small files (about 20 per folder) into an empty SharePoint folder;
2. merge: the same shape into a SharePoint folder that already holds identical copies;
3. tight: a smaller mirror while Procore's spike window is set low enough to bind.

`python -m bench.initial_sync [--files N] [--tight-files N]`. Procore's hourly budget is what
makes first syncs take days (DESIGN §5), so requests are the currency.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import emit
from devhost.services import Services
from devhost.stack import Stack, poll, start_stack
from shared.state.projects import Phase, Project

DEFAULT_FILES = 2000
DEFAULT_TIGHT_FILES = 100
FILES_PER_FOLDER = 20
ZONES_PER_AREA = 10
MIRROR_PROJECT, MERGE_PROJECT, TIGHT_PROJECT = 4300008001, 4300008002, 4300008003
PROBE_USER_AGENT = "pss-bench-probe"
# Procore's rate limits for the mirror and merge runs: generous, so that the figures measure the
# sync's own cost, not waits on the budget (the tight run sets its own).
GENEROUS_PROCORE = ("--spike-limit", "1000000", "--hourly-limit", "100000000")
# Procore publishes no spike size ([U], API-NOTES A4); 20 requests per 2 s binds a local run that
# otherwise fires far faster, and keeps the tight run short.
TIGHT_SPIKE_LIMIT, TIGHT_SPIKE_WINDOW_S = 20, 2
# SharePoint's resource-unit budget depends on the tenant's licences (API-NOTES B5); the Graph
# emulator's default (1,200 RU/min, the smallest tenants) would make a 2,000-file run wait on
# it for minutes. Requests are counted either way.
GRAPH_RU_PER_MINUTE = 1_000_000
# Procore's own API hosts. `/_storage/...` is the emulator's stand-in for the presigned S3 URL a
# `/prostore` download redirects to: in real life another host (S3), not Procore's rate-limited
# API, so it is counted apart (the emulator does charge it to its one bucket).
PROCORE_API_PREFIXES = ("/rest/", "/oauth/", "/prostore/")
STORAGE_PREFIX = "/_storage/"
TABLE_REQUEST = "TableStorageContextMiddleware: RequestMethod="
TABLE_TARGET = re.compile(
    r"RequestMethod=(?P<method>\w+) RequestURL=\S+?/devstoreaccount1/(?:e2e[0-9a-f]{8})?"
    r"(?P<table>[$A-Za-z]+)"
)


def file_size(path: str) -> int:
    """A deterministic small size (1-8 KB) for `path`."""
    return 1000 + zlib.crc32(path.encode()) % 7000


def file_body(path: str) -> str:
    """ASCII text of `file_size(path)` bytes; the same on every call, different per path."""
    line = f"{path}\n"
    size = file_size(path)
    return (line * (size // len(line) + 1))[:size]


def project_tree(files: int) -> dict[str, Any]:
    """`files` text files, FILES_PER_FOLDER per zone folder, ZONES_PER_AREA zones per area."""
    tree: dict[str, Any] = {}
    for index in range(files):
        folder = index // FILES_PER_FOLDER
        area = f"Area {folder // ZONES_PER_AREA:03d}"
        zone = f"Zone {folder % ZONES_PER_AREA:02d}"
        name = f"Sheet {index:05d}.pdf"
        tree.setdefault(area, {}).setdefault(zone, {})[name] = file_body(f"{area}/{zone}/{name}")
    return tree


def folder_count(tree: dict[str, Any]) -> int:
    return sum(1 + folder_count(v) for v in tree.values() if isinstance(v, dict))


@dataclass
class RunCost:
    seconds: float
    all_done_s: float
    files: int
    folders: int
    procore_api: int
    procore_storage: int
    procore_429s: int
    procore_by_endpoint: dict[str, int]
    graph: int
    table_ops: int
    table_batches: int
    table_by_target: dict[str, int]

    @property
    def procore_floor(self) -> int:
        """One download per file, one listing per folder page (the root included; a folder
        listing is not paged)."""
        return self.files + self.folders + 1


class TableLog:
    """Table Storage operations, counted in Azurite's `--debug` log: one line per request.

    An entity-group transaction (`$batch`) is one request; the stack's own reads (phase polls,
    the connect row) carry PROBE_USER_AGENT and are left out.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def since_mark(self) -> tuple[int, int, dict[str, int]]:
        """Requests since `mark()`: total, of them batches, and per method and table."""
        ops = batches = 0
        by_target: Counter[str] = Counter()
        with self.path.open("rb") as log:
            log.seek(self.offset)
            for raw in log:
                line = raw.decode("utf-8", errors="replace")
                if TABLE_REQUEST in line and PROBE_USER_AGENT not in line:
                    ops += 1
                    batches += "/$batch " in line
                    found = TABLE_TARGET.search(line)
                    if found:
                        by_target[f"{found['method']} {found['table']}"] += 1
        return ops, batches, dict(by_target)


def reset_counters(stack: Stack) -> None:
    stack.procore.call("DELETE", "/counters")
    stack.graph.call("POST", "/counters/reset")


def run_initial_sync(
    stack: Stack, tables: TableLog, project_id: int, folder: str, tree: dict[str, Any]
) -> RunCost:
    """Seed nothing; connect the seeded project to `folder`, wait for phase regular and for the
    completion email to be recorded, and read what it cost."""
    files = sum(1 for _ in _files(tree))
    reset_counters(stack)
    tables.mark()
    started = time.monotonic()
    project = stack.connect(project_id, f"Bench {project_id}", folder)
    stack.wait_for_phase(project.key, Phase.REGULAR, deadline_s=max(180, files / 5))
    seconds = time.monotonic() - started
    all_done_s = _wait_for_run_end(stack, project) - started
    procore = stack.procore.counters()
    by_endpoint = {k: int(v) for k, v in procore["by_endpoint"].items()}
    graph = stack.graph.call("GET", "/counters")["requests"]
    ops, batches, by_table = tables.since_mark()
    return RunCost(
        seconds=seconds,
        all_done_s=all_done_s,
        files=files,
        folders=folder_count(tree),
        procore_api=sum(
            v for k, v in by_endpoint.items() if _path(k).startswith(PROCORE_API_PREFIXES)
        ),
        procore_storage=sum(
            v for k, v in by_endpoint.items() if _path(k).startswith(STORAGE_PREFIX)
        ),
        procore_429s=int(procore["by_status"].get("429", 0)),
        procore_by_endpoint=by_endpoint,
        graph=int(graph["total"]),
        table_ops=ops,
        table_batches=batches,
        table_by_target=by_table,
    )


def _path(endpoint: str) -> str:
    return endpoint.split(" ", 1)[1] if " " in endpoint else endpoint


def _files(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for name, value in tree.items():
        if isinstance(value, dict):
            yield from _files(value, f"{prefix}{name}/")
        else:
            yield f"{prefix}{name}", value


def _wait_for_run_end(stack: Stack, project: Project) -> float:
    """The run's work is over once the completion email is sent and the closing change pass
    (changes made during the initial sync, started with the regular phase) has finished.
    Returns when that was seen (monotonic)."""
    store = stack.store()

    def over() -> bool:
        current = store.projects.get(project.key)
        finished = current.initial_sync_finished_at
        passed = current.last_pass_at
        if finished is None or passed is None or passed < finished:
            return False
        return any(
            (e.detail or "").startswith("completion email sent")
            for e in store.log.recent(project.key, 20)
        )

    poll("the completion email and the closing change pass", over, deadline_s=120)
    return time.monotonic()


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a running process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def sharepoint_contents(stack: Stack, under: str) -> dict[str, tuple[str | None, int]]:
    """Every file under `under`: id → (cTag, size). A cTag changes with every content write."""
    return {
        i["id"]: (i.get("cTag"), int(i.get("size") or 0))
        for i in stack.graph.tree(under)
        if not i["folder"]
    }


def seed_sharepoint(stack: Stack, base: str, tree: dict[str, Any]) -> None:
    """The same files in SharePoint, an area per request (bodies stay a few MB)."""
    stack.graph.seed(_nested(base.strip("/").split("/")))
    for area, zones in tree.items():
        stack.graph.seed({area: zones}, under=base)


def _nested(segments: list[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for segment in reversed(segments):
        tree = {segment: tree}
    return tree


def print_endpoints(label: str, cost: RunCost) -> None:
    for endpoint, count in sorted(cost.procore_by_endpoint.items(), key=lambda kv: -kv[1]):
        print(f"# {label} procore {endpoint}: {count}", flush=True)
    for target, count in sorted(cost.table_by_target.items(), key=lambda kv: -kv[1]):
        print(f"# {label} table {target}: {count}", flush=True)
    print(
        f"# {label}: {cost.files} files, {cost.folders} folders, {cost.seconds:.1f} s to phase "
        f"regular, {cost.all_done_s:.1f} s to email sent and closing change pass done, "
        f"procore api {cost.procore_api} (floor {cost.procore_floor}), storage hops "
        f"{cost.procore_storage}, graph {cost.graph}, table requests {cost.table_ops} "
        f"({cost.table_batches} of them entity-group batches)",
        flush=True,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.initial_sync", description=__doc__)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--tight-files", type=int, default=DEFAULT_TIGHT_FILES)
    args = parser.parse_args(argv)
    with Services() as services:
        table_log = services.workdir / "azurite-debug.log"
        azurite = services.start_azurite(debug_log=table_log)
        cert_dir = services.workdir / "graph-cert"
        cert_dir.mkdir()
        stack = start_stack(services, azurite, cert_dir, procore_args=GENEROUS_PROCORE)
        stack.probe_user_agent = PROBE_USER_AGENT
        stack.graph.call("POST", "/settings", {"ru_per_minute": GRAPH_RU_PER_MINUTE})
        tables = TableLog(table_log)

        tree = project_tree(args.files)
        stack.procore.seed_project(MIRROR_PROJECT, "Bench mirror", tree)
        stack.graph.seed(_nested(["Bench", "Mirror"]))
        mirror = run_initial_sync(stack, tables, MIRROR_PROJECT, "Bench/Mirror", tree)
        rss = peak_rss_mb(stack.devhost.proc.pid)
        print_endpoints("mirror", mirror)
        emit("mirror_files_per_s", mirror.files / mirror.seconds)
        emit("mirror_procore_requests_per_file", mirror.procore_api / mirror.files)
        emit("mirror_procore_requests_over_floor", mirror.procore_api / mirror.procore_floor)
        emit("mirror_graph_requests_per_file", mirror.graph / mirror.files)
        emit("mirror_table_ops_per_file", mirror.table_ops / mirror.files)

        stack.procore.seed_project(MERGE_PROJECT, "Bench merge", tree)
        seed_sharepoint(stack, "/Bench/Merge/Documents", tree)
        before = sharepoint_contents(stack, "/Bench/Merge/Documents")
        merge = run_initial_sync(stack, tables, MERGE_PROJECT, "Bench/Merge", tree)
        after = sharepoint_contents(stack, "/Bench/Merge/Documents")
        uploaded = sum(
            size for key, (ctag, size) in after.items() if before.get(key, (None, 0))[0] != ctag
        )
        print_endpoints("merge", merge)

        tight_tree = project_tree(args.tight_files)
        stack.procore.seed_project(TIGHT_PROJECT, "Bench tight", tight_tree)
        stack.graph.seed(_nested(["Bench", "Tight"]))
        stack.procore.call(
            "PATCH",
            "/config",
            {"spike_limit": TIGHT_SPIKE_LIMIT, "spike_window_s": TIGHT_SPIKE_WINDOW_S},
        )
        tight = run_initial_sync(stack, tables, TIGHT_PROJECT, "Bench/Tight", tight_tree)
        print_endpoints("tight", tight)
        print(
            f"# tight: Procore spike window {TIGHT_SPIKE_LIMIT} requests per "
            f"{TIGHT_SPIKE_WINDOW_S} s (every request counts, /_storage included); "
            f"{tight.files} files in {tight.seconds:.1f} s",
            flush=True,
        )

        emit("mirror_procore_429s_tight_limit", tight.procore_429s)
        emit("worker_peak_rss_mb", rss)
        emit("merge_identical_bytes_uploaded", uploaded)
        emit(
            "merge_identical_requests_vs_mirror",
            (merge.procore_api + merge.graph) / (mirror.procore_api + mirror.graph),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
