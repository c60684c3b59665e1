"""How the demo shows a running initial sync: a bar on a terminal, plain lines otherwise.

Fed from the project view of the admin API (`GET /api/projects/{key}`: phase and run counters),
against the number of files the demo seeded.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Any, TextIO

from shared.notify.initial_sync_email import human_bytes

PLAIN_EVERY_S = 3.0


def files_done(counters: dict[str, Any]) -> int:
    """Files the run has dealt with: copied either way, linked, or skipped with a reason."""
    return int(
        counters.get("files_copied", 0)
        + counters.get("files_linked", 0)
        + counters.get("skipped", 0)
        + counters.get("deferred", 0)
    )


class ProgressView:
    def __init__(self, expected_files: int, out: TextIO = sys.stdout) -> None:
        self.expected = max(expected_files, 1)
        self.out = out
        self.tty = out.isatty()
        self.started = time.monotonic()
        self.last_plain = 0.0
        self.last_line = ""

    def update(self, view: dict[str, Any]) -> None:
        counters = view.get("run_counters") or {}
        done = min(files_done(counters), self.expected)
        elapsed = time.monotonic() - self.started
        facts = (
            f"{done}/{self.expected} files, {counters.get('folders_created', 0)} folders, "
            f"{human_bytes(int(counters.get('bytes_copied', 0)))}, "
            f"phase {view.get('phase')}, {elapsed:.0f} s"
        )
        if self.tty:
            width = 30 if shutil.get_terminal_size((120, 20)).columns > len(facts) + 44 else 10
            filled = round(width * done / self.expected)
            line = f"\r    [{'#' * filled}{'.' * (width - filled)}] {facts}"
            self.out.write(line.ljust(len(self.last_line)))
            self.out.flush()
            self.last_line = line
        elif time.monotonic() - self.last_plain >= PLAIN_EVERY_S or done == self.expected:
            if facts != self.last_line:
                print(f"    progress: {facts}", file=self.out, flush=True)
            self.last_plain = time.monotonic()
            self.last_line = facts

    def close(self) -> None:
        if self.tty and self.last_line:
            self.out.write("\n")
            self.out.flush()
