"""Pacing arithmetic: read the rate-limit headers (against `Date`), wait briefly or refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import formatdate

import httpx
import pytest

from shared.errors import Throttled
from shared.procore import Scope
from shared.procore.pacing import read_window, retry_delay_s
from tests.procore_client.fakes import FakeClock, client_for, rate_headers

SCOPE = Scope.project(1, 2)


def folder_json() -> dict[str, object]:
    return {"id": 10, "name": "", "folders": [], "files": []}


def test_window_reset_is_measured_against_the_response_date_not_the_local_clock() -> None:
    clock = FakeClock()
    headers = rate_headers(clock, remaining=3, reset_in=7, date_skew=-3600)
    window = read_window(httpx.Headers(headers), clock.now)
    assert window is not None
    assert window.remaining == 3
    assert window.reset_in_s == pytest.approx(7, abs=1)
    assert window.is_spike
    hourly = read_window(httpx.Headers(rate_headers(clock, 3, 1800)), clock.now)
    assert hourly is not None and not hourly.is_spike


def test_no_headers_no_window() -> None:
    assert read_window(httpx.Headers({"Date": formatdate(0, usegmt=True)}), 0.0) is None


def test_retry_after_seconds_then_http_date_then_reset_then_default() -> None:
    clock = FakeClock()
    assert retry_delay_s(httpx.Headers({"Retry-After": "12"}), clock.now, 60) == 12
    later = formatdate(clock.now + 30, usegmt=True)
    date = formatdate(clock.now, usegmt=True)
    by_date = retry_delay_s(httpx.Headers({"Retry-After": later, "Date": date}), clock.now, 60)
    assert by_date == pytest.approx(30, abs=1)
    by_reset = retry_delay_s(httpx.Headers(rate_headers(clock, 0, 9)), clock.now, 60)
    assert by_reset == pytest.approx(9, abs=1)
    assert retry_delay_s(httpx.Headers({}), clock.now, 60) == 60


def test_above_the_reserve_requests_go_without_waiting() -> None:
    clock = FakeClock()
    client, recorder, _ = client_for(
        lambda r: httpx.Response(200, json=folder_json(), headers=rate_headers(clock, 50, 8)),
        clock,
        PROCORE_RATE_RESERVE=5,
    )
    for _ in range(5):
        client.get_folder(SCOPE)
    assert clock.sleeps == []
    assert len(recorder.api_requests()) == 5


def test_at_the_reserve_a_spike_window_is_waited_out_inside_the_client() -> None:
    clock = FakeClock()
    state = {"remaining": 7}

    def api(request: httpx.Request) -> httpx.Response:
        state["remaining"] -= 1
        return httpx.Response(
            200, json=folder_json(), headers=rate_headers(clock, state["remaining"], 4)
        )

    client, recorder, _ = client_for(api, clock, PROCORE_RATE_RESERVE=5, PROCORE_PACE_MAX_WAIT_S=10)
    client.get_folder(SCOPE)  # remaining 6
    client.get_folder(SCOPE)  # remaining 5 = reserve
    assert clock.sleeps == []
    client.get_folder(SCOPE)  # must wait for the spike window first
    assert len(clock.sleeps) == 1
    assert clock.sleeps[0] == pytest.approx(4, abs=1)
    assert len(recorder.api_requests()) == 3


def test_at_the_reserve_an_hourly_window_raises_throttled_without_firing() -> None:
    clock = FakeClock()
    client, recorder, _ = client_for(
        lambda r: httpx.Response(200, json=folder_json(), headers=rate_headers(clock, 5, 1800)),
        clock,
        PROCORE_RATE_RESERVE=5,
        PROCORE_PACE_MAX_WAIT_S=10,
    )
    client.get_folder(SCOPE)
    with pytest.raises(Throttled) as caught:
        client.get_folder(SCOPE)
    expected = datetime.fromtimestamp(clock.now + 1800, UTC)
    assert abs((caught.value.retry_at - expected).total_seconds()) <= 1
    assert len(recorder.api_requests()) == 1
    assert clock.sleeps == []


def test_a_window_that_has_reset_is_not_waited_for() -> None:
    clock = FakeClock()
    client, recorder, _ = client_for(
        lambda r: httpx.Response(200, json=folder_json(), headers=rate_headers(clock, 0, 2)),
        clock,
        PROCORE_RATE_RESERVE=5,
    )
    client.get_folder(SCOPE)
    clock.now += 3
    client.get_folder(SCOPE)
    assert clock.sleeps == []
    assert len(recorder.api_requests()) == 2


def test_a_429_surfaces_as_throttled_and_blocks_further_firing_until_retry_at() -> None:
    clock = FakeClock()
    answers = iter(
        [
            httpx.Response(
                429,
                text="You have surpassed the max number of requests for an hour. Please wait "
                "until your limit resets.",
                headers={**rate_headers(clock, 0, 1200), "Retry-After": "1200"},
            )
        ]
    )
    client, recorder, _ = client_for(lambda r: next(answers), clock)
    with pytest.raises(Throttled) as caught:
        client.get_folder(SCOPE)
    assert caught.value.status == 429
    assert "surpassed" in str(caught.value)
    assert abs(caught.value.retry_at.timestamp() - (clock.now + 1200)) <= 1
    with pytest.raises(Throttled):
        client.get_folder(SCOPE)  # refused locally: the window is known to be exhausted
    assert len(recorder.api_requests()) == 1


def test_a_short_429_is_waited_out_by_the_next_call() -> None:
    clock = FakeClock()
    answers = iter(
        [
            httpx.Response(429, text="slow down", headers={"Retry-After": "3"}),
            httpx.Response(200, json=folder_json(), headers=rate_headers(clock, 50, 8)),
        ]
    )
    client, recorder, _ = client_for(lambda r: next(answers), clock, PROCORE_PACE_MAX_WAIT_S=10)
    with pytest.raises(Throttled):
        client.get_folder(SCOPE)
    assert client.get_folder(SCOPE).id == 10
    assert clock.sleeps == [pytest.approx(3)]
    assert len(recorder.api_requests()) == 2


def test_a_503_is_throttled_with_its_retry_after() -> None:
    clock = FakeClock()
    client, _, _ = client_for(
        lambda r: httpx.Response(
            503, json={"errors": "Service Unavailable"}, headers={"Retry-After": "20"}
        ),
        clock,
    )
    with pytest.raises(Throttled) as caught:
        client.get_folder(SCOPE)
    assert caught.value.status == 503
    assert abs(caught.value.retry_at.timestamp() - (clock.now + 20)) <= 1
