"""The safety net: with no webhook arriving at all, every minute's run sends exactly the ticks and
pulls that are due, and nothing for paused, syncing or busy projects and drives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.config import Settings
from shared.intake import safety_net
from shared.state.drives import Drive
from shared.state.projects import Phase
from tests.intake.world import PROJECT, Queues, context_for, new_project

NOW = datetime(2025, 3, 1, 10, 15, tzinfo=UTC)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def test_the_timer_enqueues_exactly_the_due_projects_and_drives(
    settings: Settings, queues: Queues
) -> None:
    context = context_for(settings, NOW)
    projects = context.store.projects
    drives = context.store.drives
    never = projects.create(new_project(PROJECT + 1, drive_id="b!a"))
    stale = projects.create(new_project(PROJECT + 2, drive_id="b!a", last_pass_at=ago(300)))
    projects.create(new_project(PROJECT + 3, drive_id="b!a", last_pass_at=ago(60)))
    projects.create(new_project(PROJECT + 4, drive_id="b!c", phase=Phase.PAUSED))
    projects.create(new_project(PROJECT + 5, drive_id="b!c", phase=Phase.INITIAL_SYNC))
    projects.create(
        new_project(
            PROJECT + 6,
            drive_id="b!a",
            last_pass_at=ago(3600),
            pass_owner="tick-1",
            pass_until=NOW + timedelta(minutes=5),
        )
    )
    projects.create(new_project(PROJECT + 7, drive_id="b!b", last_pass_at=ago(10)))
    projects.create(new_project(PROJECT + 8, drive_id="b!d", last_pass_at=ago(10)))
    projects.create(new_project(PROJECT + 9, drive_id="b!e", last_pass_at=ago(10)))

    def pulled(drive_id: str, at: datetime, **lease: object) -> None:
        drives.ensure(drive_id)
        drives.modify(
            drive_id,
            lambda d: d.model_copy(
                update={"delta_link": "https://x/delta?token=1", "delta_link_at": at, **lease}
            ),
        )

    pulled("b!b", ago(301))
    pulled("b!c", ago(3600))
    pulled("b!d", ago(10))
    pulled("b!e", ago(3600), lease_owner="pull-1", lease_expires_at=NOW + timedelta(minutes=1))

    report = safety_net.poll(context)

    ticks = queues.ticks()
    assert sorted(t.project_key for t in ticks) == sorted([never.key, stale.key])
    assert {t.reason for t in ticks} == {"poll"} and all(t.resources == [] for t in ticks)
    assert len({t.tick_id for t in ticks}) == 2
    pulls = queues.pulls()
    assert sorted(p.drive_id for p in pulls) == ["b!a", "b!b"]
    assert {p.reason for p in pulls} == {"poll"}
    assert sorted(report.ticks) == sorted([never.key, stale.key])
    assert drives.find("b!a") is None  # reading a drive creates no row


def test_after_the_passes_ran_the_next_minute_sends_nothing(
    settings: Settings, queues: Queues
) -> None:
    context = context_for(settings, NOW)
    project = context.store.projects.create(new_project(drive_id="b!a"))
    safety_net.poll(context)
    assert [t.project_key for t in queues.ticks()] == [project.key]
    assert [p.drive_id for p in queues.pulls()] == ["b!a"]

    # the pass and the pull ran (they set these), then a minute went by
    context.store.projects.modify(project.key, lambda p: p.model_copy(update={"last_pass_at": NOW}))
    context.store.drives.ensure("b!a")
    context.store.drives.modify("b!a", lambda d: Drive.model_copy(d, update={"delta_link_at": NOW}))
    later = context_for(settings, NOW + timedelta(minutes=1))
    safety_net.poll(later)
    assert queues.ticks() == [] and queues.pulls() == []

    much_later = context_for(settings, NOW + timedelta(seconds=settings.procore_poll_interval_s))
    safety_net.poll(much_later)
    assert [t.project_key for t in queues.ticks()] == [project.key]
    assert [p.drive_id for p in queues.pulls()] == ["b!a"]
