"""Timer triggers under devhost: six-field NCRONTAB, seconds first, in UTC."""

from __future__ import annotations

import itertools
from datetime import datetime

import httpx

from tests.devhost.conftest import MASTER_KEY, SampleRun, poll


def test_timer_fires_every_two_seconds_on_even_seconds(sample: SampleRun) -> None:
    # The schedule is "*/2 * * * * *": every 2 s. Read minutes-first it would be every 2 min.
    rows = poll(
        lambda: (r := sample.records("every_two_seconds")) and len(r) >= 3 and r,
        deadline_s=12,
        what="three timer invocations",
    )

    times = [datetime.fromisoformat(r["at"]) for r in rows[:3]]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert all(1.5 <= gap <= 2.7 for gap in gaps), gaps
    assert all(t.second % 2 == 0 for t in times), times
    assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 for t in times)
    assert not any(r["past_due"] for r in rows[:3])


def test_a_timer_runs_at_once_on_the_hosts_admin_run_call(sample: SampleRun) -> None:
    before = len(sample.records("every_two_seconds"))
    refused = httpx.post(f"{sample.url}/admin/functions/every_two_seconds", timeout=10)
    assert refused.status_code == 401
    unknown = httpx.post(
        f"{sample.url}/admin/functions/no_such_timer",
        headers={"x-functions-key": MASTER_KEY},
        timeout=10,
    )
    assert unknown.status_code == 404
    runs = [
        httpx.post(
            f"{sample.url}/admin/functions/every_two_seconds",
            headers={"x-functions-key": MASTER_KEY},
            timeout=10,
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in runs] == [202, 202, 202]
    # Three extra runs on top of the schedule's one every 2 s: at least 3 more within a second.
    poll(
        lambda: len(sample.records("every_two_seconds")) >= before + 3,
        deadline_s=1.5,
        what="three manual runs",
    )
