"""Contract: pacing under tight rate limits, 429 storms, server faults and token expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import Throttled, TransientError
from shared.procore import Scope
from tests.procore_client.conftest import Emulator, make_client

pytestmark = pytest.mark.integration


def test_pacing_waits_out_a_tight_spike_window_and_meets_no_429(
    emulator: Emulator, project: Scope
) -> None:
    emulator.control("PATCH", "/config", json={"spike_limit": 8, "spike_window_s": 2})
    with make_client(emulator, PROCORE_RATE_RESERVE=2, PROCORE_PACE_MAX_WAIT_S=5) as client:
        for _ in range(14):
            client.get_folder(project)
    by_status = emulator.counters()["by_status"]
    assert "429" not in by_status
    assert by_status["200"] == 15  # 14 listings + the token


def test_an_exhausted_hourly_window_raises_throttled_instead_of_firing(
    emulator: Emulator, project: Scope
) -> None:
    emulator.control("PATCH", "/config", json={"hourly_limit": 20, "hourly_window_s": 3600})
    calls = 0
    with (
        make_client(emulator, PROCORE_RATE_RESERVE=5, PROCORE_PACE_MAX_WAIT_S=5) as client,
        pytest.raises(Throttled) as caught,
    ):
        for _ in range(30):
            client.get_folder(project)
            calls += 1
    counters = emulator.counters()
    assert "429" not in counters["by_status"]
    assert counters["total"] == 15  # 20 minus the reserve of 5
    assert calls == 14
    retry_at = caught.value.retry_at
    now = datetime.now(UTC)
    assert now + timedelta(minutes=55) < retry_at <= now + timedelta(minutes=61)


def test_a_429_storm_surfaces_throttled_with_its_retry_time(
    emulator: Emulator, project: Scope
) -> None:
    emulator.add_fault(kind="429", retry_after_s=30)
    with make_client(emulator) as client:
        with pytest.raises(Throttled) as caught:
            client.get_folder(project)
        assert caught.value.status == 429
        now = datetime.now(UTC)
        assert now + timedelta(seconds=20) < caught.value.retry_at <= now + timedelta(seconds=31)
        before = emulator.counters()["total"]
        with pytest.raises(Throttled):
            client.get_folder(project)
        assert emulator.counters()["total"] == before  # not fired into the storm


def test_server_errors_and_dropped_connections_are_retried_for_gets(
    emulator: Emulator, project: Scope
) -> None:
    emulator.add_fault(kind="500", count=2, path_prefix="/rest/v1.0/folders", method="GET")
    with make_client(emulator, PROCORE_GET_RETRIES=2) as client:
        assert client.get_folder(project).parent_id is None
        emulator.add_fault(kind="drop", count=1, path_prefix="/rest/v1.0/folders", method="GET")
        assert client.get_folder(project).parent_id is None
        emulator.add_fault(kind="500", path_prefix="/rest/v1.0/folders", method="GET")
        with pytest.raises(TransientError):
            client.get_folder(project)
    by_endpoint = emulator.counters()["by_endpoint_status"]["GET /rest/v1.0/folders"]
    # the dropped response had sent its 200 headers before the body was cut
    assert by_endpoint == {"200": 3, "500": 5}


def test_a_503_is_throttled(emulator: Emulator, project: Scope) -> None:
    emulator.add_fault(kind="503", count=1, retry_after_s=12)
    with make_client(emulator) as client, pytest.raises(Throttled) as caught:
        client.get_folder(project)
    assert caught.value.status == 503


def test_an_expired_token_is_renewed_once(emulator: Emulator, project: Scope) -> None:
    with make_client(emulator) as client:
        client.get_folder(project)
        emulator.control("POST", "/tokens/expire")
        client.get_folder(project)
    counters = emulator.counters()["by_endpoint_status"]
    assert counters["POST /oauth/token"] == {"200": 2}
    assert counters["GET /rest/v1.0/folders"] == {"200": 2, "401": 1}
