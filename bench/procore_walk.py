"""Procore walk: the app's client walks a large seeded Documents tree in the Procore emulator.

Prints `procore_walk_requests_per_folder` (every request the emulator counted during the walk,
the token included, divided by the folders listed, root included) and `procore_walk_peak_rss_mb`
(peak RSS of the walking process alone: the walk runs in a fresh child process, so the emulator's
memory is not counted). Targets: about 1.0 and under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.figures import emit, peak_rss_mb
from devhost.services import Services

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPANY_ID = 4300000001
BENCH_PROJECT_ID = 4300000199


def walk(base_url: str, project_id: int) -> None:
    """The child: walk the tree with the app's client; print counts and peak RSS as JSON."""
    from shared.config import load_settings
    from shared.procore import ProcoreClient, Scope

    values = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    values = {k: str(v) for k, v in values.items()}
    values.update(PROCORE_API_URL=base_url, PROCORE_AUTH_URL=base_url)
    folders = files = 0
    started = time.perf_counter()
    with ProcoreClient(load_settings(**values)) as client:
        for listing in client.walk(Scope.project(COMPANY_ID, project_id)):
            folders += 1
            files += len(listing.files)
    print(
        json.dumps(
            {
                "folders": folders,
                "files": files,
                "seconds": time.perf_counter() - started,
                "peak_rss_mb": peak_rss_mb(),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--folders", type=int, default=5_000)
    parser.add_argument("--max-depth", type=int, default=4)
    parser.add_argument("--walk", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=int, default=BENCH_PROJECT_ID, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.walk:
        walk(args.walk, args.project)
        return
    with Services() as services:
        _, base_url = services.start_python_server(
            "procore",
            "emulators.procore",
            [
                "--seed",
                "demo",
                "--hourly-limit",
                "100000000",
                "--spike-limit",
                "100000000",
                "--log-level",
                "WARNING",
            ],
            ready_path="/_emulator/health",
        )
        control = httpx.Client(base_url=f"{base_url}/_emulator", timeout=600)
        seeded = control.post(
            "/seed",
            json={"projects": [{"id": args.project, "name": "Bench Tower", "permitted": True}]},
        )
        seeded.raise_for_status()
        large = control.post(
            "/seed/large",
            json={
                "project_id": args.project,
                "folders": args.folders,
                "files": args.files,
                "file_size": {"min": 1024, "max": 4 * 1024 * 1024},
                "max_depth": args.max_depth,
                "seed": 7,
            },
        )
        large.raise_for_status()
        control.delete("/counters").raise_for_status()
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.procore_walk",
                "--walk",
                base_url,
                "--project",
                str(args.project),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            sys.stderr.write(child.stderr)
            raise SystemExit(f"the walk failed with exit code {child.returncode}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        counters = control.get("/counters").json()
        control.close()
        if result["files"] != args.files or counters.get("emulator_errors", 0):
            raise SystemExit(
                f"walk saw {result['files']} files of {args.files} seeded; "
                f"emulator errors {counters.get('emulator_errors')}"
            )
        print(
            f"# walked {result['folders']} folders, {result['files']} files in "
            f"{result['seconds']:.1f} s; {counters['total']} requests",
            file=sys.stderr,
        )
        emit("procore_walk_requests_per_folder", counters["total"] / result["folders"])
        emit("procore_walk_peak_rss_mb", float(result["peak_rss_mb"]))


if __name__ == "__main__":
    main()
