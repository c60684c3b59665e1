"""Timer triggers under devhost: six-field NCRONTAB, seconds first, in UTC."""

from __future__ import annotations

import itertools
from datetime import datetime

from tests.devhost.conftest import SampleRun, poll


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
