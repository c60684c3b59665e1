"""The Log table: newest first, and no two entries collide, even in one microsecond."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.state import StateStore
from shared.state.log import TEXT_MAX_CHARS, LogAction, LogEntry
from tests.state.clock import MovableClock
from tests.state.threads import run_threads

pytestmark = pytest.mark.integration

PROJECT = "77-1001"


def test_an_entry_round_trips(store: StateStore) -> None:
    entry = store.log.entry(
        PROJECT,
        LogAction.SKIPPED,
        side="sharepoint",
        procore_id=2**40,
        sharepoint_id="01ABC",
        name="CON.pdf",
        path="Documents/CON.pdf",
        reason="invalid name",
        detail="reserved name on SharePoint",
    )
    stored = store.log.append(entry)
    [read] = store.log.recent(PROJECT, limit=10)
    assert read.model_dump() == entry.model_dump()
    assert read.row == stored.row


def test_entries_list_newest_first_with_a_limit(store: StateStore, clock: MovableClock) -> None:
    for n in range(12):
        store.log.append(store.log.entry(PROJECT, LogAction.COPIED, name=f"file-{n}"))
        clock.advance(timedelta(seconds=1))
    recent = store.log.recent(PROJECT, limit=5)
    assert [e.name for e in recent] == [f"file-{n}" for n in (11, 10, 9, 8, 7)]
    assert len(store.log.recent(PROJECT, limit=100)) == 12
    assert store.log.recent(PROJECT, limit=0) == []


def test_a_burst_in_one_microsecond_keeps_every_entry_in_order(store: StateStore) -> None:
    """The clock does not move: every entry carries the same timestamp."""

    def burst(worker: int) -> list[str]:
        rows = []
        for n in range(25):
            entry = store.log.entry(PROJECT, LogAction.UPDATED, name=f"{worker}-{n}")
            rows.append(store.log.append(entry).row)
        return rows

    rows_by_worker = run_threads(4, burst)
    all_rows = [row for rows in rows_by_worker for row in rows]
    assert len(set(all_rows)) == 100
    listed = store.log.recent(PROJECT, limit=200)
    assert len(listed) == 100
    for worker in range(4):
        mine = [e.name for e in listed if e.name and e.name.startswith(f"{worker}-")]
        assert mine == [f"{worker}-{n}" for n in reversed(range(25))]


def test_many_entries_at_once_are_batched(store: StateStore) -> None:
    entries = [store.log.entry(PROJECT, LogAction.COPIED, name=f"f{n}") for n in range(150)]
    stored = store.log.append_many(entries)
    assert len({e.row for e in stored}) == 150
    assert [e.name for e in store.log.recent(PROJECT, limit=3)] == ["f149", "f148", "f147"]


def test_long_text_is_cut_to_stay_within_the_string_limit(store: StateStore) -> None:
    entry = store.log.append(
        LogEntry(project_key=PROJECT, at=store.log.clock(), action="error", detail="x" * 50_000)
    )
    assert entry.detail is not None and len(entry.detail) == TEXT_MAX_CHARS
    assert store.log.recent(PROJECT, 1)[0].detail == entry.detail
