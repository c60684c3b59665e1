"""The demo's export folders, PDF read-back, activity lines and change timing (no stack)."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest
from reportlab.pdfgen.canvas import Canvas

from demo.construction_project import (
    EXPORT_FOLDERS,
    UNICODE_RFI_SUBJECT,
    exported_counts,
    tools,
)
from demo.export_folders import ExportFolder, export_folders, pdf_lines
from demo.regular_sync import ChangeLost, activity_line, activity_lines, wait_for
from shared.mapping import Tool


def test_export_folders_count_item_pdfs_and_the_attachments_beside_them() -> None:
    def item(path: str, folder: bool = False) -> dict[str, object]:
        return {"path": "/P/Tower/" + path, "folder": folder}

    items = [
        item("RFIs", folder=True),
        item("RFIs/RFI-002 Ø anchors.pdf"),
        item("RFIs/RFI-001 Slab.pdf"),
        item("RFIs/RFI-001 Slab", folder=True),
        item("RFIs/RFI-001 Slab/sketch.pdf"),
        item("RFIs/RFI-001 Slab/photo.jpg"),
        item("RFIs/notes.txt"),
        item("Documents/RFIs/RFI-009.pdf"),
        item("Drawings/A-101 Rev 1.pdf"),
        {"path": "/P/Tower 2/RFIs/RFI-001.pdf", "folder": False},
    ]

    folders = export_folders(items, "/P/Tower", ["RFIs", "Drawings", "Observations"])

    assert folders == [
        ExportFolder("RFIs", ["RFI-001 Slab.pdf", "RFI-002 Ø anchors.pdf"], 2),
        ExportFolder("Drawings", ["A-101 Rev 1.pdf"], 0),
        ExportFolder("Observations", [], 0),
    ]
    assert [f.line() for f in folders] == [
        "RFIs/  2 PDFs, 2 attachments",
        "Drawings/  1 PDF, 0 attachments",
        "Observations/  0 PDFs, 0 attachments",
    ]


def test_pdf_lines_reads_the_first_lines_back() -> None:
    out = io.BytesIO()
    canvas = Canvas(out)
    for n, text in enumerate(["RFI-002: anchors", "", "Status", "open", "Created by"]):
        canvas.drawString(72, 760 - 20 * n, text)
    canvas.save()

    assert pdf_lines(out.getvalue(), 3) == ["RFI-002: anchors", "Status", "open"]
    with pytest.raises(ValueError, match="not a PDF"):
        pdf_lines(b"<html>", 3)


def test_seeded_tools_are_enabled_by_their_admin_api_names_and_counted() -> None:
    assert set(EXPORT_FOLDERS) <= {tool.value for tool in Tool}
    spec = tools()
    assert any(r["fields"]["subject"] == UNICODE_RFI_SUBJECT for r in spec["rfis"])
    assert exported_counts() == {
        "RFIs": (4, 4),
        "Submittals": (2, 3),
        "Drawings": (3, 0),
        "Observations": (1, 3),
    }
    assert tools() == spec


def _entry(at: str, action: str, **fields: object) -> dict[str, object]:
    return {"at": at, "action": action, **fields}


def test_activity_lines_since_the_first_change_repeated_entries_once() -> None:
    long_reason = "PUT /v1.0/drives/b!x/items/01:/" + "a" * 300 + ": 400 (pathIsTooLong)"
    entries = [
        _entry("2025-03-01T10:00:09Z", "error", name="Letter.pdf", reason=long_reason),
        _entry("2025-03-01T10:00:08Z", "updated", side="procore", path="Schedules/Plan.xml"),
        _entry("2025-03-01T10:00:05Z", "error", name="Letter.pdf", reason=long_reason),
        _entry("2025-03-01T10:00:04Z", "copied", side="sharepoint", path="Drawings/A-137.pdf"),
        _entry("2025-03-01T09:59:00Z", "copied", side="sharepoint", path="Before.pdf"),
    ]

    lines = activity_lines(entries, datetime(2025, 3, 1, 10, tzinfo=UTC), 8)

    assert lines[1:] == [
        "10:00:08 updated in Procore Schedules/Plan.xml",
        "10:00:04 copied in SharePoint Drawings/A-137.pdf",
    ]
    assert lines[0].startswith("10:00:09 error Letter.pdf (PUT /v1.0/drives/b!x/")
    assert lines[0].endswith("aaa: 400 (pathIsTooLong)) (2 times)")
    assert len(lines[0]) < 140
    assert activity_lines(entries, datetime(2025, 3, 1, 10, tzinfo=UTC), 1) == lines[:1]
    assert activity_line(_entry("2025-03-01T10:00:00+00:00", "info")) == "10:00:00 info"


def test_wait_for_times_an_arrival_and_fails_a_lost_change() -> None:
    looks = iter([False, False, True])
    sent = time.monotonic()

    arrival = wait_for("A-137.pdf", lambda: next(looks), sent, 5)

    assert arrival.what == "A-137.pdf" and 0 < arrival.seconds < 5
    with pytest.raises(ChangeLost, match=r"Plan\.xml did not arrive within 0\.3 s"):
        wait_for("Plan.xml", lambda: False, time.monotonic(), 0.3)
