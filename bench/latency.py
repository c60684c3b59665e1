"""Regular sync latency: how long a user's change takes to reach the other side.

One local stack (Azurite, both emulators, the app under devhost) with a realistic quiet period
(QUIET_PERIOD_S = 5 s rather than the tests' 0, so the SharePoint → Procore figure includes the
Save & Close wait it would in production; the production default is 60 s). A project is
connected, its Procore hook and SharePoint subscription registered, and after the initial sync:

1. Procore → SharePoint: `--changes` changes through Procore's `/_emulator/act/files` (half new
   files, half edits of synced files), one every `--spacing` seconds, so several are in flight;
   each is timed from the moment the user's request was sent until SharePoint holds its bytes.
2. SharePoint → Procore: the same through the Graph emulator's user actions, timed until
   Procore holds the bytes.

Arrival is observed by one watcher thread per direction that reads the other side's tree
through the control API every POLL_EVERY_S (one request per look, plus one content read per
candidate whose size matches), so the measuring adds a few requests per second, none of them to
the APIs the app meters. Figures are to within POLL_EVERY_S.

`python -m bench.latency [--changes N] [--spacing S] [--quiet-period S]`
Targets on the local stack: Procore → SharePoint p95 ≤ 10 s; SharePoint → Procore p95 ≤ quiet
period + 10 s.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.figures import emit, percentile
from devhost.services import Services
from devhost.stack import DRIVE, Stack, poll, start_stack
from shared.graph.client import GraphClient
from shared.intake.procore_hooks import HookRegistrar
from shared.intake.project_intake import ProjectIntake
from shared.intake.subscriptions import SubscriptionKeeper
from shared.procore.client import ProcoreClient
from shared.state.projects import Phase

PROJECT = 4300009101
FOLDER = "Bench/Latency"
QUIET_PERIOD_S = 5
DEFAULT_CHANGES = 100
DEFAULT_SPACING_S = 0.4
POLL_EVERY_S = 0.2
ARRIVAL_DEADLINE_S = 90
"""How long after the last change a change may still arrive before it counts as missing."""
GENEROUS_PROCORE = ("--spike-limit", "1000000", "--hourly-limit", "100000000")
# The Graph emulator's default budget (1,200 RU/min, the smallest tenants) is not what is
# measured here; requests are counted either way.
GRAPH_RU_PER_MINUTE = 1_000_000


def body(label: str, index: int) -> str:
    """Unique text of a few hundred bytes, a different size for most changes."""
    line = f"{label} change {index} {uuid.uuid4().hex}\n"
    return line * (3 + index % 11)


def seed_tree(edits_each_way: int) -> dict[str, Any]:
    """Files the edits work on (one file per edit, so no two edits merge into one), and the
    folders new files go to."""
    edits = {f"p-{k:03d}.txt": f"procore seed {k}\n" for k in range(edits_each_way)}
    edits.update({f"s-{k:03d}.txt": f"sharepoint seed {k}\n" for k in range(edits_each_way)})
    return {"Edits": edits, "P2S": {}, "S2P": {}}


@dataclass
class Change:
    label: str
    where: str  # the path the other side will show it at
    content: bytes
    sent: float = 0.0
    arrived: float | None = None

    @property
    def latency(self) -> float | None:
        return None if self.arrived is None else self.arrived - self.sent


@dataclass
class Watch:
    """Changes waiting to be seen on one side; `look` reads that side once and returns
    {path: (key, size, read)} where `read()` fetches the bytes and `key` changes with them."""

    look: Callable[[], dict[str, tuple[str, int, Callable[[], bytes]]]]
    waiting: list[Change] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    looks: int = 0

    def add(self, change: Change) -> None:
        with self.lock:
            self.waiting.append(change)

    def run(self, deadline: Callable[[], float]) -> None:
        checked: dict[tuple[str, str], bytes] = {}
        while time.monotonic() < deadline():
            with self.lock:
                waiting = [c for c in self.waiting if c.arrived is None]
            if not waiting and self.done.is_set():
                return
            seen = self.look()
            self.looks += 1
            now = time.monotonic()
            for change in waiting:
                found = seen.get(change.where)
                if found is None or found[1] != len(change.content):
                    continue
                key, _, read = found
                if (change.where, key) not in checked:
                    checked[(change.where, key)] = read()
                if checked[(change.where, key)] == change.content:
                    change.arrived = now
            time.sleep(POLL_EVERY_S)


def sharepoint_look(stack: Stack, base: str) -> Callable[[], dict[str, Any]]:
    prefix = base + "/"

    def look() -> dict[str, tuple[str, int, Callable[[], bytes]]]:
        rows = stack.graph.call("GET", f"/drives/{DRIVE}/tree")
        return {
            r["path"][len(prefix) :]: (
                f"{r['id']}:{r['cTag']}",
                int(r["size"]),
                lambda path=r["path"]: stack.graph.content(path),
            )
            for r in rows
            if r["path"].startswith(prefix) and not r["folder"]
        }

    return look


def procore_look(stack: Stack) -> Callable[[], dict[str, Any]]:
    def look() -> dict[str, tuple[str, int, Callable[[], bytes]]]:
        items = stack.procore.call("GET", f"/projects/{PROJECT}/tree")["items"]
        return {
            i["path"]: (
                f"{i['id']}:{i['version']}",
                int(i["size"]),
                lambda file_id=i["id"]: stack.procore.content(int(file_id)),
            )
            for i in items
            if i["type"] == "file" and not i["is_deleted"]
        }

    return look


def connect(stack: Stack, tree: dict[str, Any]) -> dict[str, Any]:
    """Seed the Procore project, connect it to an empty folder with its hook and subscription
    (as the admin API's connect does), and wait until its files are in SharePoint and the
    regular sync has taken over."""
    seeded = stack.procore.seed_project(PROJECT, "Latency bench", tree)
    stack.graph.call("POST", f"/drives/{DRIVE}/seed", {"tree": {"Bench": {"Latency": {}}}})
    project = stack.connect(PROJECT, "Latency bench", FOLDER)
    settings = stack.settings
    store = stack.store()
    ProjectIntake(
        store,
        HookRegistrar(ProcoreClient(settings), settings),
        SubscriptionKeeper(GraphClient(settings), store.drives, settings),
    ).connected(project)
    stack.wait_for_phase(project.key, Phase.REGULAR)
    files = sum(len(v) for v in tree.values())
    poll(
        "the initial sync's files in SharePoint",
        lambda: len(sharepoint_look(stack, f"/{FOLDER}/Documents")()) == files,
        120,
    )
    poll(
        "the closing pass",
        lambda: store.projects.get(project.key).last_pass_at is not None,
        60,
    )
    return seeded


def reset_counters(stack: Stack) -> None:
    stack.procore.call("DELETE", "/counters")
    stack.graph.call("POST", "/counters/reset")


def requests_so_far(stack: Stack) -> tuple[int, int]:
    """Requests the app made to Procore and to Graph since the counters were reset (control
    API calls are not counted by either emulator)."""
    procore = int(stack.procore.counters()["total"])
    graph = int(stack.graph.call("GET", "/counters")["requests"]["total"])
    return procore, graph


def run_direction(
    make: Callable[[int], Change], watch: Watch, changes: int, spacing_s: float
) -> list[Change]:
    """Make `changes` changes `spacing_s` apart while `watch` looks for them on the other
    side; returns them once all arrived or the deadline passed."""
    made: list[Change] = []
    last_sent = [float("inf")]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="watch") as pool:
        watching = pool.submit(watch.run, lambda: last_sent[0] + ARRIVAL_DEADLINE_S)
        start = time.monotonic()
        for index in range(changes):
            wait = start + index * spacing_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            change = make(index)
            made.append(change)
            watch.add(change)
        last_sent[0] = time.monotonic()
        watch.done.set()
        watching.result()
    return made


def report(prefix: str, made: list[Change]) -> None:
    latencies = [c.latency for c in made if c.latency is not None]
    missing = [c.label for c in made if c.latency is None]
    if missing:
        print(f"# {prefix}: {len(missing)} change(s) never arrived: {missing[:10]}", flush=True)
    emit(f"{prefix}_changes", len(made))
    emit(f"{prefix}_missing", len(missing))
    if latencies:
        emit(f"{prefix}_p50_s", percentile(latencies, 50))
        emit(f"{prefix}_p95_s", percentile(latencies, 95))
        emit(f"{prefix}_max_s", max(latencies))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--changes", type=int, default=DEFAULT_CHANGES)
    parser.add_argument("--spacing", type=float, default=DEFAULT_SPACING_S)
    parser.add_argument("--quiet-period", type=int, default=QUIET_PERIOD_S)
    args = parser.parse_args(argv)
    edits = args.changes // 2
    with Services() as services:
        azurite = services.start_azurite()
        cert_dir = services.workdir / "graph-cert"
        cert_dir.mkdir()
        stack = start_stack(
            services,
            azurite,
            cert_dir,
            env_overrides={"QUIET_PERIOD_S": str(args.quiet_period)},
            procore_args=GENEROUS_PROCORE,
        )
        stack.graph.call("POST", "/settings", {"ru_per_minute": GRAPH_RU_PER_MINUTE})
        seeded = connect(stack, seed_tree(edits))
        paths: dict[str, int] = seeded["paths"]
        sp_base = f"/{FOLDER}/Documents"

        def in_procore(index: int) -> Change:
            content = body("p2s", index)
            if index % 2:
                where = f"Edits/p-{index // 2:03d}.txt"
                change = Change(f"edit {where}", where, content.encode(), time.monotonic())
                stack.procore.call("PATCH", f"/act/files/{paths[where]}", {"content": content})
            else:
                where = f"P2S/p2s-{index:03d}.txt"
                change = Change(f"create {where}", where, content.encode(), time.monotonic())
                stack.procore.call(
                    "POST",
                    "/act/files",
                    {
                        "project_id": PROJECT,
                        "parent_id": paths["P2S"],
                        "name": where.rsplit("/", 1)[1],
                        "content": content,
                    },
                )
            return change

        def in_sharepoint(index: int) -> Change:
            content = body("s2p", index)
            if index % 2:
                where = f"Edits/s-{index // 2:03d}.txt"
                change = Change(f"edit {where}", where, content.encode(), time.monotonic())
                stack.graph.act(action="edit", path=f"{sp_base}/{where}", content=content)
            else:
                where = f"S2P/s2p-{index:03d}.txt"
                change = Change(f"create {where}", where, content.encode(), time.monotonic())
                stack.graph.act(action="create", path=f"{sp_base}/{where}", content=content)
            return change

        reset_counters(stack)
        p2s = run_direction(
            in_procore, Watch(sharepoint_look(stack, sp_base)), args.changes, args.spacing
        )
        p2s_procore, p2s_graph = requests_so_far(stack)
        reset_counters(stack)
        s2p = run_direction(in_sharepoint, Watch(procore_look(stack)), args.changes, args.spacing)
        s2p_procore, s2p_graph = requests_so_far(stack)

        report("latency_p2s", p2s)
        report("latency_s2p", s2p)
        emit("quiet_period_s", args.quiet_period)
        emit("p2s_procore_requests_per_change", p2s_procore / len(p2s))
        emit("p2s_graph_requests_per_change", p2s_graph / len(p2s))
        emit("s2p_procore_requests_per_change", s2p_procore / len(s2p))
        emit("s2p_graph_requests_per_change", s2p_graph / len(s2p))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
