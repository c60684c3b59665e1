"""The demo's end-of-run summary, built from the email, both trees and the base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from demo.construction_project import documents, file_count, folder_count, size_of
from demo.summary import email_text, landing_tree, renamed_items
from shared.notify.initial_sync_email import InitialSyncSummary, SkipNote, compose


def test_email_html_reads_as_lines() -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    html = compose(
        InitialSyncSummary(
            project_name="Tower",
            project_key="1-2",
            mode="mirror",
            sharepoint_folder_path="Projects/Tower",
            started_at=start,
            finished_at=start + timedelta(seconds=75),
            files_to_sharepoint=12,
            bytes_copied=2048,
            skipped=[SkipNote(path="a/b <c>.pdf", side="sharepoint", reason="too long")],
        )
    ).html

    lines = email_text(html)

    assert "Files copied to SharePoint: 12" in lines
    assert "Data copied: 2.0 KB" in lines
    assert "Duration: 1 min 15 s" in lines
    assert lines[-2:] == ["Skipped (not synced):", "  - a/b <c>.pdf (sharepoint): too long"]


@dataclass
class Base:
    procore_id: int
    sharepoint_id: str


def test_renamed_items_pair_procore_and_sharepoint_paths_by_id() -> None:
    procore = [
        {"id": 1, "path": "Odd/Spec: A?.pdf"},
        {"id": 2, "path": "Odd/plain.pdf"},
        {"id": 3, "path": "Odd"},
    ]
    sharepoint = [
        {"id": "s1", "path": "/P/Documents/Odd/Spec： A？.pdf"},
        {"id": "s2", "path": "/P/Documents/Odd/plain.pdf"},
        {"id": "s3", "path": "/P/Documents/Odd"},
    ]
    bases = [Base(1, "s1"), Base(2, "s2"), Base(3, "s3"), Base(4, "gone")]

    renamed = renamed_items(procore, sharepoint, bases, "/P/Documents")

    assert [(r.procore_path, r.sharepoint_path) for r in renamed] == [
        ("Odd/Spec: A?.pdf", "Odd/Spec： A？.pdf")
    ]


def test_landing_tree_counts_files_below_each_top_folder() -> None:
    def file(path: str, size: int) -> dict[str, object]:
        return {"path": "/P/Documents/" + path, "folder": False, "size": size}

    def folder(path: str) -> dict[str, object]:
        return {"path": "/P/Documents/" + path, "folder": True, "size": 0}

    items = [
        folder("Drawings"),
        folder("Drawings/Arch"),
        folder("Drawings/Arch/Old"),
        file("Drawings/Arch/A1.pdf", 1024),
        file("Drawings/Arch/Old/A0.pdf", 1024),
        file("Drawings/cover.pdf", 10),
        folder("Empty"),
        file("readme.txt", 5),
        {"path": "/Elsewhere/x.pdf", "folder": False, "size": 1},
    ]

    assert landing_tree(items, "/P/Documents") == [
        "/P/Documents/",
        "  Drawings/  (3 files, 2.0 KB)",
        "      Arch/  (2 files, 2.0 KB)",
        "  Empty/  (empty)",
        "  (1 file directly in the folder)",
    ]


def test_seeded_project_is_the_same_every_run_and_realistic() -> None:
    tree = documents()
    assert tree == documents()
    assert size_of("Drawings/A-101.pdf") == size_of("Drawings/A-101.pdf")
    assert file_count(tree) >= 250 and folder_count(tree) >= 60
