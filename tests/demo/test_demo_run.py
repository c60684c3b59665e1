"""`make demo` end to end: it runs to completion, prints what it promises, and leaves nothing
running behind it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

import pytest

from demo.construction_project import (
    LARGE_FILE,
    PROJECT_NAME,
    UNICODE_RFI_PDF,
    UNICODE_RFI_SUBJECT,
    documents,
    file_count,
    photos,
)
from demo.regular_sync import CHANGE_DEADLINE_S, EDITED_FILE, NEW_SHEET, NEW_SHEET_FOLDER
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
    # the one-way export: each tool folder as seeded, one PDF read back
    assert "| Procore tool items exported as PDF: 10" in out
    for line in (
        "RFIs/  4 PDFs, 4 attachments",
        "Submittals/  2 PDFs, 3 attachments",
        "Drawings/  3 PDFs, 0 attachments",
        "Observations/  1 PDF, 3 attachments",
    ):
        assert f"\n    {line}\n" in out, line
    assert f"example: RFIs/{UNICODE_RFI_PDF}, its first lines read back with pypdf:" in out
    assert f"| RFI-002: {UNICODE_RFI_SUBJECT[:30]}" in out
    assert "| Project: Harbor View Tower" in out
    # the regular sync: a change each way, arrived with the same bytes, timed
    new_sheet = f"{NEW_SHEET_FOLDER}/{NEW_SHEET}"
    p2s = re.search(
        rf"Procore → SharePoint: {re.escape(new_sheet)} added in Procore, in SharePoint with the "
        r"same bytes after (\d+\.\d) s\n {6}carried by Procore webhook deliveries: 1 "
        r"\(the app answered 200\)",
        out,
    )
    s2p = re.search(
        rf"SharePoint → Procore: {re.escape(EDITED_FILE)} edited in SharePoint, in Procore with "
        r"the same bytes after (\d+\.\d) s \(quiet period 0 s\)\n {6}carried by Graph change "
        r"notifications: [1-9]\d* \(the app answered 202\)",
        out,
    )
    assert p2s and s2p, out[out.find("==> regular sync") :]
    assert 0 < float(p2s[1]) <= CHANGE_DEADLINE_S and 0 < float(s2p[1]) <= CHANGE_DEADLINE_S
    assert "QUIET_PERIOD_S is 0 s in this demo" in out
    activity = out[out.find("==> activity since the first change") :]
    assert re.search(
        rf"\n    \d\d:\d\d:\d\d copied in SharePoint {re.escape(new_sheet)}\n", activity
    )
    assert re.search(
        rf"\n    \d\d:\d\d:\d\d updated in Procore {re.escape(EDITED_FILE)}\n", activity
    )
    assert "devhost: 0 failed function invocations by the end of the demo" in out
    urls = re.findall(r"(?:app|Procore|Graph) (https?://127\.0\.0\.1:\d+)", out)
    assert len(urls) == 3
    assert not [u for u in urls if _listening(u)], "a service outlived the demo"
