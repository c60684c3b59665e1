"""The Drives table: one delta pull per drive at a time, by lease; expired leases are taken over."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from shared.state import LeaseLost, StateStore
from tests.state.clock import MovableClock
from tests.state.threads import run_threads

pytestmark = pytest.mark.integration

DRIVE = "b!Dq3C0v8d1kO5vQwz-abc/with#odd?chars"
MINUTE = timedelta(minutes=1)


def test_a_drive_round_trips(store: StateStore) -> None:
    created = store.drives.ensure(DRIVE)
    assert store.drives.ensure(DRIVE).etag == created.etag
    expires = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    store.drives.set_subscription(DRIVE, "sub-1", expires, client_state_ref="GRAPH_CLIENT_STATE")
    stored = store.drives.get(DRIVE)
    assert stored.drive_id == DRIVE
    assert (stored.subscription_id, stored.subscription_expires_at) == ("sub-1", expires)
    assert stored.client_state_ref == "GRAPH_CLIENT_STATE"


def test_only_one_owner_holds_the_lease(store: StateStore) -> None:
    lease = store.drives.acquire_lease(DRIVE, "worker-a", MINUTE)
    assert lease is not None and lease.owner == "worker-a"
    assert store.drives.acquire_lease(DRIVE, "worker-b", MINUTE) is None
    assert store.drives.acquire_lease(DRIVE, "worker-a", MINUTE) is not None
    assert store.drives.get(DRIVE).lease_owner == "worker-a"


def test_concurrent_acquirers_get_one_lease(store: StateStore, clock: MovableClock) -> None:
    """All eight read the free lease before any of them writes (the clock is read in between)."""
    store.drives.ensure(DRIVE)
    everyone_has_read = threading.Barrier(8)
    waited = threading.local()

    def clock_after_everyone_read() -> datetime:
        if not getattr(waited, "done", False):
            waited.done = True
            everyone_has_read.wait(timeout=30)
        return clock()

    store.drives.clock = clock_after_everyone_read
    results = run_threads(8, lambda i: store.drives.acquire_lease(DRIVE, f"w{i}", MINUTE))
    winners = [lease for lease in results if lease is not None]
    assert len(winners) == 1
    assert store.drives.get(DRIVE).lease_owner == winners[0].owner


def test_an_expired_lease_is_taken_over_and_the_old_owner_is_told(
    store: StateStore, clock: MovableClock
) -> None:
    old = store.drives.acquire_lease(DRIVE, "worker-a", MINUTE)
    assert old is not None
    store.drives.store_delta_link(old, "https://graph/delta?token=1")
    clock.advance(MINUTE + timedelta(seconds=1))
    new = store.drives.acquire_lease(DRIVE, "worker-b", MINUTE)
    assert new is not None and new.owner == "worker-b"
    with pytest.raises(LeaseLost):
        store.drives.renew_lease(old, MINUTE)
    with pytest.raises(LeaseLost):
        store.drives.store_delta_link(old, "https://graph/delta?token=stale")
    store.drives.release_lease(old)  # a no-op: worker-b keeps it
    drive = store.drives.get(DRIVE)
    assert drive.lease_owner == "worker-b"
    assert drive.delta_link == "https://graph/delta?token=1"


def test_renewing_keeps_others_out_and_releasing_lets_them_in(
    store: StateStore, clock: MovableClock
) -> None:
    lease = store.drives.acquire_lease(DRIVE, "worker-a", MINUTE)
    assert lease is not None
    clock.advance(timedelta(seconds=50))
    lease = store.drives.renew_lease(lease, MINUTE)
    clock.advance(timedelta(seconds=50))
    assert store.drives.acquire_lease(DRIVE, "worker-b", MINUTE) is None
    stored = store.drives.store_delta_link(lease, "https://graph/delta?token=2")
    assert stored.delta_link == "https://graph/delta?token=2"
    assert stored.delta_link_at == clock.now
    store.drives.release_lease(lease)
    assert store.drives.get(DRIVE).lease_owner is None
    assert store.drives.acquire_lease(DRIVE, "worker-b", MINUTE) is not None


def test_an_expired_lease_nobody_took_can_still_be_renewed(
    store: StateStore, clock: MovableClock
) -> None:
    lease = store.drives.acquire_lease(DRIVE, "worker-a", MINUTE)
    assert lease is not None
    clock.advance(5 * MINUTE)
    renewed = store.drives.renew_lease(lease, MINUTE)
    assert renewed.expires_at == clock.now + MINUTE
    assert store.drives.acquire_lease(DRIVE, "worker-b", MINUTE) is None
