"""Drive subscriptions against the Graph emulator: one per drive however many projects share it;
renewed before expiry; recreated when lost; deleted when no project is left; and a change in the
drive reaches the receiver as one delta pull."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from shared.config import Settings
from shared.intake import renewal
from shared.intake.context import IntakeContext
from shared.intake.procore_hooks import HookRegistrar
from shared.intake.project_intake import ProjectIntake
from shared.intake.subscriptions import SubscriptionKeeper
from shared.queues import DeltaPull
from shared.state.projects import Phase
from tests.intake.world import (
    PROJECT,
    Queues,
    World,
    emulated_subscriptions,
    new_drive,
    new_project,
)


def intake_for(world: World, settings: Settings, context: IntakeContext) -> ProjectIntake:
    return ProjectIntake(
        context.store,
        HookRegistrar(world.procore(settings), settings),
        SubscriptionKeeper(world.graph(settings), context.store.drives, settings),
    )


def expiry(subscription: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(subscription["expirationDateTime"]).replace("Z", "+00:00"))


def test_one_subscription_per_drive_for_many_projects(
    world: World, settings: Settings, context: IntakeContext
) -> None:
    intake = intake_for(world, settings, context)
    drive_id = new_drive(world)
    for offset in (0, 1, 2):
        project = context.store.projects.create(new_project(PROJECT + offset, drive_id=drive_id))
        intake.connected(project)
    [subscription] = emulated_subscriptions(world, drive_id)
    row = context.store.drives.get(drive_id)
    assert row.subscription_id == subscription["id"]
    assert row.client_state_ref == "GRAPH_CLIENT_STATE"
    assert subscription["clientState"] == settings.graph_client_state.get_secret_value()
    assert subscription["notificationUrl"] == f"{world.endpoint.base_url}/api/webhooks/graph"
    assert expiry(subscription) > datetime.now(UTC) + timedelta(days=29)


def test_renewal_renews_recreates_and_deletes(
    world: World, settings: Settings, context: IntakeContext
) -> None:
    short = world.settings(GRAPH_SUBSCRIPTION_MINUTES="60", TABLE_PREFIX=settings.table_prefix)
    expiring, lost, abandoned = new_drive(world), new_drive(world), new_drive(world)
    short_keeper = SubscriptionKeeper(world.graph(short), context.store.drives, short)
    for offset, drive_id in enumerate((expiring, lost, abandoned)):
        context.store.projects.create(new_project(PROJECT + offset, drive_id=drive_id))
        short_keeper.ensure(drive_id)
    [before] = emulated_subscriptions(world, expiring)
    assert expiry(before) < datetime.now(UTC) + timedelta(minutes=61)
    [gone] = emulated_subscriptions(world, lost)
    world.graph(settings).delete_subscription(str(gone["id"]))
    context.store.projects.delete(
        context.store.projects.get(new_project(PROJECT + 2).key).model_copy(update={"etag": None})
    )

    report = renewal.renew(context, intake_for(world, settings, context))

    [renewed] = emulated_subscriptions(world, expiring)
    assert renewed["id"] == before["id"]
    assert expiry(renewed) > datetime.now(UTC) + timedelta(days=29)
    assert context.store.drives.get(expiring).subscription_expires_at == expiry(renewed)
    [recreated] = emulated_subscriptions(world, lost)
    assert recreated["id"] != gone["id"]
    assert context.store.drives.get(lost).subscription_id == recreated["id"]
    assert emulated_subscriptions(world, abandoned) == []
    assert context.store.drives.get(abandoned).subscription_id is None
    assert report.dropped == [abandoned]
    assert not [failure for failure in report.failed if failure.startswith("drive")]


def test_paused_projects_keep_their_drive_subscribed(
    world: World, settings: Settings, context: IntakeContext
) -> None:
    intake = intake_for(world, settings, context)
    drive_id = new_drive(world)
    project = context.store.projects.create(new_project(drive_id=drive_id, phase=Phase.PAUSED))
    intake.subscriptions.ensure(project.drive_id)
    renewal.renew(context, intake)
    assert len(emulated_subscriptions(world, drive_id)) == 1


def test_a_change_in_the_drive_becomes_one_delta_pull(
    world: World, settings: Settings, context: IntakeContext, queues: Queues
) -> None:
    intake = intake_for(world, settings, context)
    drive_id = new_drive(world)
    intake.subscriptions.ensure(drive_id)
    with world.graph_control() as control:
        for name in ("a.txt", "b.txt", "c.txt"):
            made = control.post(
                f"/drives/{drive_id}/actions",
                json={"action": "create", "path": f"/{name}", "content": name},
            )
            assert made.status_code < 300, made.text
    pulls: list[DeltaPull] = []
    deadline = time.monotonic() + 15
    while not pulls and time.monotonic() < deadline:
        pulls = queues.pulls()
        time.sleep(0.1)
    assert [(p.drive_id, p.reason) for p in pulls] == [(drive_id, "notification")]


def test_a_subscription_deleted_long_before_its_expiry_is_recreated(
    world: World, settings: Settings, context: IntakeContext
) -> None:
    intake = intake_for(world, settings, context)
    drive_id = new_drive(world)
    project = context.store.projects.create(new_project(PROJECT + 7, drive_id=drive_id))
    intake.connected(project)
    [gone] = emulated_subscriptions(world, drive_id)
    assert expiry(gone) > datetime.now(UTC) + timedelta(days=29)  # nowhere near renewal
    world.graph(settings).delete_subscription(str(gone["id"]))

    renewal.renew(context, intake)

    [recreated] = emulated_subscriptions(world, drive_id)
    assert recreated["id"] != gone["id"]
    assert context.store.drives.get(drive_id).subscription_id == recreated["id"]
