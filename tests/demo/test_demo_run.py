"""`make demo` end to end: it runs to completion, prints what it promises, and leaves nothing
running behind it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

import pytest

from demo.construction_project import LARGE_FILE, PROJECT_NAME, documents, file_count, photos
from devhost.services import REPO_ROOT

pytestmark = pytest.mark.integration


def _listening(url: str) -> bool:
    host, port = url.split("//", 1)[1].split(":")
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, int(port))) == 0


def test_demo_syncs_the_seeded_project_and_stops_everything() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "demo", "--timeout-s", "90"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, f"{out[-3000:]}\n{done.stderr[-3000:]}"
    assert f"Subject: Two way sync initiated for project {PROJECT_NAME}" in out
    seeded = file_count(documents())
    # the one path over SharePoint's 400-character limit is skipped, with its reason listed
    assert f"{seeded - 1} of {seeded} Procore files are in SharePoint with the same size" in out
    photos_seeded = file_count(photos())
    assert f"| Files copied to SharePoint: {seeded - 1 + photos_seeded}" in out
    assert f"{photos_seeded} of {photos_seeded} photos are in album folders under Photos" in out
    assert "| Items skipped: 1" in out and "pathIsTooLong" in out
    assert (
        "Spec: Concrete?.pdf  →  Correspondence/Names SharePoint rejects/Spec： Concrete？.pdf"
        in out
    )
    assert "CON.txt  →  Correspondence/Names SharePoint rejects/CON_.txt" in out
    assert f"{LARGE_FILE.rsplit('/', 1)[1]} (28 MiB): SHA-256 identical on both sides" in out
    assert "devhost: 0 failed function invocations" in out
    assert re.search(r"\n {6}Drawings/ {2}\(124 files, ", out)
    urls = re.findall(r"(?:app|Procore|Graph) (https?://127\.0\.0\.1:\d+)", out)
    assert len(urls) == 3
    assert not [u for u in urls if _listening(u)], "a service outlived the demo"
