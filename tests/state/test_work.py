"""The Work table: the end of a fanned-out job is detected exactly once."""

from __future__ import annotations

import random

import pytest

from shared.state import EntityNotFound, StateStore
from shared.state.work import UnitState
from tests.state.threads import run_threads

pytestmark = pytest.mark.integration

PROJECT = "77-1001"


def test_a_job_completes_when_its_last_unit_finishes(store: StateStore) -> None:
    store.work.open_job(PROJECT, "initial")
    assert store.work.register(PROJECT, "initial", ["a", "b", "c"]) == 3
    assert store.work.seal(PROJECT, "initial") is False
    assert store.work.finish(PROJECT, "initial", "a") is False
    assert store.work.finish(PROJECT, "initial", "b", state=UnitState.FAILED, note="423") is False
    assert store.work.has_pending(PROJECT, "initial")
    assert store.work.finish(PROJECT, "initial", "c") is True
    job = store.work.get_job(PROJECT, "initial")
    assert job.completed and job.completed_by == "c"
    assert store.work.tally(PROJECT, "initial") == {
        UnitState.PENDING: 0,
        UnitState.DONE: 2,
        UnitState.FAILED: 1,
    }
    assert store.work.finish(PROJECT, "initial", "c") is False
    assert store.work.seal(PROJECT, "initial") is False


def test_an_unsealed_job_never_completes_and_sealing_finds_it_done(store: StateStore) -> None:
    store.work.open_job(PROJECT, "j")
    store.work.register(PROJECT, "j", ["a"])
    assert store.work.finish(PROJECT, "j", "a") is False
    store.work.register(PROJECT, "j", ["b"])
    assert store.work.finish(PROJECT, "j", "b") is False
    assert store.work.seal(PROJECT, "j") is True
    assert store.work.get_job(PROJECT, "j").completed_by == "seal"


def test_fan_out_registered_by_a_unit_keeps_the_job_open(store: StateStore) -> None:
    store.work.open_job(PROJECT, "scan")
    store.work.register(PROJECT, "scan", ["root"])
    store.work.seal(PROJECT, "scan")
    store.work.register(PROJECT, "scan", ["root/a", "root/b"])
    assert store.work.finish(PROJECT, "scan", "root") is False
    assert store.work.finish(PROJECT, "scan", "root/a") is False
    assert store.work.finish(PROJECT, "scan", "root/b") is True


def test_registering_again_never_resets_a_finished_unit(store: StateStore) -> None:
    store.work.open_job(PROJECT, "j")
    store.work.register(PROJECT, "j", ["a", "b"])
    store.work.finish(PROJECT, "j", "a")
    assert store.work.register(PROJECT, "j", ["a", "b", "c", "c"]) == 1
    states = {unit.unit_id: unit.state for unit in store.work.units(PROJECT, "j")}
    assert states == {"a": UnitState.DONE, "b": UnitState.PENDING, "c": UnitState.PENDING}


def test_finishing_an_unknown_unit_is_an_error(store: StateStore) -> None:
    store.work.open_job(PROJECT, "j")
    with pytest.raises(EntityNotFound):
        store.work.finish(PROJECT, "j", "never-registered")


def test_completion_is_detected_exactly_once_under_parallel_redelivered_workers(
    store: StateStore,
) -> None:
    units = [f"folder/{n}" for n in range(120)]
    store.work.open_job(PROJECT, "initial")
    assert store.work.register(PROJECT, "initial", units) == 120
    store.work.seal(PROJECT, "initial")
    # Every unit is delivered twice, to different workers, in a shuffled order.
    deliveries = units * 2
    random.Random(7).shuffle(deliveries)
    workers = 8

    def work(index: int) -> int:
        wins = 0
        for unit in deliveries[index::workers]:
            wins += store.work.finish(PROJECT, "initial", unit)
        return wins

    assert sum(run_threads(workers, work)) == 1
    job = store.work.get_job(PROJECT, "initial")
    assert job.completed and job.completed_by in units
    assert not store.work.has_pending(PROJECT, "initial")
    repeat = run_threads(4, lambda _: store.work.complete_once(PROJECT, "initial", by="late"))
    assert repeat == [False] * 4


def test_the_last_units_finishing_together_complete_the_job_once(store: StateStore) -> None:
    for attempt in range(5):
        job = f"race-{attempt}"
        store.work.open_job(PROJECT, job)
        store.work.register(PROJECT, job, [f"u{n}" for n in range(6)])
        store.work.seal(PROJECT, job)
        results = run_threads(6, lambda i, job=job: store.work.finish(PROJECT, job, f"u{i}"))
        assert results.count(True) == 1, results
        assert store.work.get_job(PROJECT, job).completed


def test_jobs_of_different_projects_do_not_mix(store: StateStore) -> None:
    for project in ("1-2", "1-22"):
        store.work.open_job(project, "j")
        store.work.register(project, "j", ["a"])
        store.work.seal(project, "j")
    assert store.work.finish("1-2", "j", "a") is True
    assert store.work.has_pending("1-22", "j")
