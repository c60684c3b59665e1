"""Benchmark: a 1 GiB upload through a Graph upload session, with bounded memory.

Starts the Graph emulator, then runs the upload in a child process (so the emulator's memory is
not counted) from a deterministic generated stream: nothing is stored in the repository or held
in memory beyond one upload chunk. Prints exactly:

    graph_upload_1gib_peak_rss_mb: <peak RSS of the uploading process, MB>
    graph_upload_mib_per_s: <throughput>

Usage: python bench/graph_upload.py [--size-mib N]   (default 1024)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

MIB = 1024 * 1024
DRIVE_ID = "b!documents-construction"  # the emulator's demo seed (emulators/graph/README.md)


class GeneratedStream:
    """`size` deterministic bytes produced on demand: MiB block k is a fixed pseudo-random MiB
    whose first 8 bytes hold k, so no two blocks are equal and nothing is stored."""

    def __init__(self, size: int, seed: int = 20240501) -> None:
        import random

        self.size = size
        self.position = 0
        self._base = random.Random(seed).randbytes(MIB)

    def _block(self, index: int) -> bytes:
        return index.to_bytes(8, "little") + self._base[8:]

    def read(self, n: int = -1) -> bytes:
        remaining = self.size - self.position
        n = remaining if n < 0 else min(n, remaining)
        parts: list[bytes] = []
        while n > 0:
            index, offset = divmod(self.position, MIB)
            take = min(n, MIB - offset)
            block = self._block(index)
            parts.append(block[offset : offset + take] if take < MIB else block)
            self.position += take
            n -= take
        return b"".join(parts)


def child(size: int) -> None:
    """The uploading process: settings from the environment, one session upload, a JSON line."""
    from shared.config import load_settings
    from shared.graph import GraphClient

    settings = load_settings()
    with GraphClient(settings) as client:
        root = client.get_item_by_path(DRIVE_ID, "")
        started = time.perf_counter()
        result = client.upload_large(
            DRIVE_ID,
            GeneratedStream(size),
            size,
            parent_id=root.id,
            name=f"bench-{size // MIB}mib.bin",
            conflict_behavior="replace",
        )
        elapsed = time.perf_counter() - started
    if result.item.size != size:
        raise SystemExit(f"uploaded item has size {result.item.size}, expected {size}")
    if result.item.quick_xor_hash != result.sent_quick_xor_hash:
        raise SystemExit("the stored quickXorHash differs from the one sent")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"peak_rss_mb": peak_kib * 1024 / 1e6, "seconds": elapsed}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = args.size_mib * MIB
    if args.child:
        child(size)
        return 0

    from devhost.services import Services
    from tests.conftest import example_settings

    with tempfile.TemporaryDirectory(prefix="graph-bench-") as tmp, Services() as services:
        cert = Path(tmp) / "graph-emulator-cert.pem"
        _, base_url = services.start_python_server(
            "graph",
            "emulators.graph",
            args=["--cert-dir", tmp, "--seed", "demo"],
            ready_path="/_emulator/health",
            scheme="https",
            verify=str(cert),
        )
        env = {
            **os.environ,
            **example_settings(),
            "GRAPH_AUTHORITY_HOST": base_url,
            "GRAPH_API_URL": f"{base_url}/v1.0",
            "GRAPH_CA_BUNDLE": str(cert),
            "GRAPH_CLIENT_CERT_PATH": "",
            "GRAPH_CLIENT_CERT_THUMBPRINT": "",
            "PYTHONPATH": str(REPO_ROOT),
        }
        env.pop("GRAPH_CLIENT_CERT_PATH")
        env.pop("GRAPH_CLIENT_CERT_THUMBPRINT")
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--size-mib", str(args.size_mib)],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            return done.returncode
        report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"graph_upload_1gib_peak_rss_mb: {report['peak_rss_mb']:.1f}")
    print(f"graph_upload_mib_per_s: {args.size_mib / report['seconds']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
