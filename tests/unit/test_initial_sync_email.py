"""The initial sync email: exact subject, and a body that accounts for every file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.notify.initial_sync_email import (
    ConflictNote,
    InitialSyncSummary,
    SkipNote,
    compose,
    human_bytes,
    human_duration,
)

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def summary(**kw: object) -> InitialSyncSummary:
    values: dict[str, object] = {
        "project_name": "Tower A <North>",
        "project_key": "1-2",
        "mode": "merge",
        "sharepoint_folder_url": "https://contoso.sharepoint.com/sites/C/Shared%20Documents/A",
        "sharepoint_folder_path": "Documents/Projects/Tower A",
        "started_at": START,
        "finished_at": START + timedelta(minutes=3, seconds=7),
        "folders_created": 12,
        "files_to_sharepoint": 340,
        "files_to_procore": 5,
        "files_linked": 20,
        "bytes_copied": 734_003_200,
        "conflicts": [ConflictNote(path="Drawings/A-101.pdf", resolution="Procore copy was newer")],
        "skipped": [SkipNote(path="Specs/ . ", side="Procore", reason="empty name")],
    }
    values.update(kw)
    return InitialSyncSummary.model_validate(values)


def test_subject_is_exact() -> None:
    assert compose(summary()).subject == "Two way sync initiated for project Tower A <North>"


def test_text_body_lists_counts_conflicts_skips_and_duration() -> None:
    text = compose(summary()).text
    for expected in (
        "Folders created: 12",
        "Files copied to SharePoint: 340",
        "Files copied to Procore: 5",
        "Identical files linked (not copied): 20",
        "Data copied: 700.0 MB",
        "Conflicts resolved: 1",
        "  - Drawings/A-101.pdf: Procore copy was newer",
        "Items skipped: 1",
        "  - Specs/ .  (Procore): empty name",
        "Duration: 3 min 7 s",
        "SharePoint folder: Documents/Projects/Tower A (https://contoso",
    ):
        assert expected in text, expected


def test_html_body_escapes_names() -> None:
    html = compose(summary()).html
    assert "Tower A &lt;North&gt;" in html and "<North>" not in html


def test_no_conflict_or_skip_sections_when_there_are_none() -> None:
    text = compose(summary(conflicts=[], skipped=[])).text
    assert "Conflicts resolved:\n" not in text and "Skipped" not in text


def test_human_units() -> None:
    assert human_bytes(999) == "999 bytes"
    assert human_bytes(1536) == "1.5 KB"
    assert human_duration(timedelta(hours=2, seconds=5)) == "2 h 0 min 5 s"
    assert human_duration(timedelta(seconds=42)) == "42 s"
