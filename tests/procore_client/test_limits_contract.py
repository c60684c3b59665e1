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
    by_status = emulator.counters_at(15)["by_status"]
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
    counters = emulator.counters_at(15)
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
        before = emulator.counters_at(1)["total"]  # the storm met the token request
        with pytest.raises(Throttled):
            client.get_folder(project)
        assert emulator.counters()["total"] == before == 1  # not fired into the storm


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
    by_endpoint = emulator.counters_at(9)["by_endpoint_status"]["GET /rest/v1.0/folders"]
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
    counters = emulator.counters_at(5)["by_endpoint_status"]
    assert counters["POST /oauth/token"] == {"200": 2}
    assert counters["GET /rest/v1.0/folders"] == {"200": 2, "401": 1}


def test_a_failed_part_put_is_retried_and_the_upload_completes(
    emulator: Emulator, project: Scope
) -> None:
    import hashlib
    import os

    from shared.procore import UploadSource

    part = 5 * 1024 * 1024 + 1
    data = os.urandom(part + 1000)
    emulator.add_fault(kind="upload_part", count=1)
    with make_client(
        emulator, PROCORE_UPLOAD_PART_BYTES=part, PROCORE_DIRECT_UPLOAD_MAX_BYTES=1024
    ) as client:
        file = client.upload_file(project, None, "Survey.las", UploadSource.from_bytes(data))
    assert emulator.file_info(file.id)["sha256"] == hashlib.sha256(data).hexdigest()
    counted = emulator.counters_when(lambda c: "POST /rest/v1.0/files" in c["by_endpoint"])
    puts = {k: v for k, v in counted["by_endpoint_status"].items() if k.startswith("PUT")}
    assert sum(v.get("500", 0) for v in puts.values()) == 1
    assert sum(v.get("200", 0) for v in puts.values()) == 2


def test_a_response_slower_than_the_timeout_is_transient(
    emulator: Emulator, project: Scope
) -> None:
    with make_client(emulator, PROCORE_TIMEOUT_S=0.3, PROCORE_GET_RETRIES=0) as client:
        client.get_folder(project)  # token first, at full speed
        emulator.add_fault(kind="slow", count=1, delay_s=1.0, path_prefix="/rest/v1.0/folders")
        with pytest.raises(TransientError, match="timed out"):
            client.get_folder(project)
