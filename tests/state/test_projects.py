"""The Projects table: a connected project round-trips, and concurrent writers never lose data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.config import Settings
from shared.state import AlreadyExists, ConcurrencyConflict, EntityNotFound, StateStore
from shared.state.projects import (
    ConflictPolicy,
    Phase,
    Project,
    ProjectCounters,
    SyncMode,
    project_key,
)
from shared.sync.pass_context import Pass
from tests.state.clock import MovableClock
from tests.state.threads import run_threads

pytestmark = pytest.mark.integration


def a_project(**overrides: object) -> Project:
    values: dict[str, object] = {
        "company_id": 4_000_001,
        "project_id": 562_949_953_421_312,
        "project_name": "Harbour Tower — Phase 2 / Block #3?",
        "site_id": "contoso.sharepoint.com,1f2e,3d4c",
        "drive_id": "b!Dq3C0v8d1kO5vQwz",
        "folder_path": "/Projects/Harbour Tower",
        "folder_item_id": "01ABCDEF",
        "tool_folders": {"documents": "Docs", "photos": "Fotos", "rfis": "RFIs"},
        "tools": ["documents", "photos", "rfis"],
        "recipients": ["pm@contoso.example", "site@contoso.example"],
        "conflict_policy": ConflictPolicy.KEEP_BOTH,
        "delete_limit": 25,
        "phase": Phase.INITIAL_SYNC,
        "mode": SyncMode.MERGE,
        "procore_watermark": datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC),
        "counters": ProjectCounters(files_copied=3, bytes_copied=5 * 2**32),
        "last_error": "Procore said 503",
        "last_error_at": datetime(2024, 5, 1, 12, 31, tzinfo=UTC),
        "initial_sync_started_at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return Project.model_validate(values)


def test_a_project_round_trips(store: StateStore, clock: MovableClock) -> None:
    created = store.projects.create(a_project())
    assert created.etag is not None
    assert created.created_at == clock.now and created.updated_at == clock.now
    stored = store.projects.get(project_key(4_000_001, 562_949_953_421_312))
    assert stored.model_dump() == created.model_dump()
    assert stored.key == "4000001-562949953421312"
    assert [p.key for p in store.projects.list_projects()] == [stored.key]


def test_defaults_round_trip_and_absent_fields_stay_absent(store: StateStore) -> None:
    minimal = Project(
        company_id=1, project_id=2, project_name="p", site_id="s", drive_id="d", folder_path="/"
    )
    store.projects.create(minimal)
    stored = store.projects.get("1-2")
    assert stored.phase == Phase.CONNECTING
    assert stored.mode is None and stored.last_error is None
    assert stored.conflict_policy == ConflictPolicy.NEWEST_WINS
    assert stored.tool_folders == {"documents": "Documents", "photos": "Photos"}


def test_a_taken_key_and_a_missing_project(store: StateStore) -> None:
    store.projects.create(a_project())
    with pytest.raises(AlreadyExists):
        store.projects.create(a_project(project_name="another"))
    with pytest.raises(EntityNotFound):
        store.projects.get("1-1")
    assert store.projects.find("1-1") is None


def test_a_stale_write_loses_and_the_winner_stays(store: StateStore) -> None:
    store.projects.create(a_project())
    key = a_project().key
    first, second = store.projects.get(key), store.projects.get(key)
    store.projects.replace(first.model_copy(update={"phase": Phase.REGULAR}))
    with pytest.raises(ConcurrencyConflict):
        store.projects.replace(second.model_copy(update={"phase": Phase.PAUSED}))
    assert store.projects.get(key).phase == Phase.REGULAR


def test_concurrent_counter_updates_all_count(store: StateStore) -> None:
    store.projects.create(a_project(counters=ProjectCounters()))
    key = a_project().key

    def add(_: int) -> None:
        for _ in range(3):
            store.projects.add_counts(key, files_copied=1, bytes_copied=1000)

    run_threads(4, add)
    counters = store.projects.get(key).counters
    assert counters.files_copied == 12
    assert counters.bytes_copied == 12_000


def test_phase_changes_record_the_error(store: StateStore, clock: MovableClock) -> None:
    store.projects.create(a_project())
    clock.advance(timedelta(minutes=5))
    moved = store.projects.set_phase(a_project().key, Phase.ERROR, error="x" * 10_000)
    assert moved.phase == Phase.ERROR
    assert moved.last_error is not None and len(moved.last_error) == 4000
    assert moved.last_error_at == clock.now
    assert store.projects.get(a_project().key).model_dump() == moved.model_dump()


def test_unknown_counters_and_bad_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        ProjectCounters().plus(nonsense=1)
    with pytest.raises(ValueError):
        project_key(-1, 5)


def test_a_running_pass_extends_its_own_lease_and_no_one_elses(
    store: StateStore, settings: Settings
) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=10)
    mine = store.projects.create(a_project(pass_owner="tick-1", pass_until=soon))
    running = Pass(settings=settings, store=store, project=mine, owner="tick-1")
    running.keep_lease()
    extended = store.projects.get(mine.key).pass_until
    assert extended is not None and extended > soon + timedelta(seconds=60)
    running.keep_lease()  # within half a minute: no write
    assert store.projects.get(mine.key).pass_until == extended

    store.projects.modify(mine.key, lambda p: p.model_copy(update={"pass_owner": "tick-2"}))
    stale = Pass(settings=settings, store=store, project=mine, owner="tick-1")
    stale.keep_lease()
    assert store.projects.get(mine.key).pass_until == extended
