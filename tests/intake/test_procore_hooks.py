"""Hook registration against the Procore emulator: one hook per project with every trigger, as
often as it runs; stale hooks replaced; a failure noted on the project and retried by the
renewal timer; the hook removed at disconnect."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from shared.config import Settings
from shared.intake import renewal
from shared.intake.context import IntakeContext
from shared.intake.procore_hooks import HookRegistrar
from shared.intake.project_intake import HOOK_ERROR_PREFIX, ProjectIntake
from shared.intake.subscriptions import SubscriptionKeeper
from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from tests.intake.world import COMPANY, World, new_drive, new_project, seed_procore_project

SECRET_HEADER = "Bearer local-procore-webhook-secret-0123456789"
NAMESPACE = "procore-sharepoint-sync"


def rfis_when_exported(tools: Sequence[str]) -> list[str]:
    """Stands in for the export's `webhook_resources` (issue #7)."""
    return ["RFIs"] if "rfis" in tools else []


@pytest.fixture
def procore(world: World, settings: Settings) -> ProcoreClient:
    return world.procore(settings)


@pytest.fixture
def intake(
    world: World, settings: Settings, context: IntakeContext, procore: ProcoreClient
) -> Iterator[ProjectIntake]:
    yield ProjectIntake(
        context.store,
        HookRegistrar(procore, settings, export_resources=rfis_when_exported),
        SubscriptionKeeper(world.graph(settings), context.store.drives, settings),
    )


def triggers(procore: ProcoreClient, scope: Scope, hook_id: int) -> list[tuple[str, str]]:
    return sorted((t.resource_name, t.event_type) for t in procore.list_triggers(scope, hook_id))


def test_registration_is_idempotent_with_every_trigger(
    world: World, context: IntakeContext, intake: ProjectIntake, procore: ProcoreClient
) -> None:
    project_id = seed_procore_project(world)
    scope = Scope.project(COMPANY, project_id)
    project = context.store.projects.create(
        new_project(project_id, drive_id=new_drive(world), tools=["documents", "photos", "rfis"])
    )
    first = intake.connected(project)
    second = intake.connected(first)
    assert first.procore_hook_id is not None and second.procore_hook_id == first.procore_hook_id
    [hook] = list(procore.list_hooks(scope, namespace=NAMESPACE))
    assert hook.id == first.procore_hook_id
    assert hook.destination_url == f"{world.endpoint.base_url}/api/webhooks/procore"
    assert hook.destination_headers == {"Authorization": SECRET_HEADER}
    expected = sorted(
        (resource, event_type)
        for resource in (
            "Project Folders",
            "Project Files",
            "Project File Versions",
            "Images",
            "Image Categories",
            "RFIs",
        )
        for event_type in ("create", "update", "delete")
    )
    assert triggers(procore, scope, hook.id) == expected
    stored = context.store.projects.get(project.key)
    assert stored.procore_hook_id == hook.id and stored.procore_hook_error is None


def test_a_stale_hook_of_ours_is_replaced_and_others_are_left_alone(
    world: World, context: IntakeContext, intake: ProjectIntake, procore: ProcoreClient
) -> None:
    project_id = seed_procore_project(world)
    scope = Scope.project(COMPANY, project_id)
    stale = procore.create_hook(
        scope,
        namespace=NAMESPACE,
        destination_url="https://old.example/api/webhooks/procore",
        destination_headers={"Authorization": "Bearer an-old-rotated-secret-0123"},
    )
    foreign = procore.create_hook(
        scope, namespace="another-app", destination_url="https://other.example/hook"
    )
    project = context.store.projects.create(new_project(project_id, drive_id=new_drive(world)))
    after = intake.connected(project)
    hooks = {h.id: h for h in procore.list_hooks(scope)}
    assert stale.id not in hooks and foreign.id in hooks
    assert after.procore_hook_id in hooks
    assert len(triggers(procore, scope, after.procore_hook_id or 0)) == 15  # documents + photos


def test_a_failed_registration_is_noted_and_retried_by_the_renewal_timer(
    world: World, context: IntakeContext, intake: ProjectIntake, procore: ProcoreClient
) -> None:
    project_id = seed_procore_project(world)
    project = context.store.projects.create(new_project(project_id, drive_id=new_drive(world)))
    with world.procore_control() as control:
        fault = control.post("/faults", json={"kind": "500", "path_prefix": "/rest/v1.0/webhooks"})
        assert fault.status_code == 201, fault.text
        try:
            after = intake.connected(project)
        finally:
            assert control.delete("/faults").status_code == 204
    assert after.procore_hook_id is None
    assert (after.procore_hook_error or "").startswith(HOOK_ERROR_PREFIX)
    assert (after.last_error or "").startswith(HOOK_ERROR_PREFIX)
    assert "local-procore-webhook-secret" not in (after.last_error or "")
    logged = context.store.log.recent(project.key)
    assert any((e.detail or "").startswith(HOOK_ERROR_PREFIX) for e in logged)

    report = renewal.renew(context, intake)
    assert report.hooks_registered == [project.key]
    retried = context.store.projects.get(project.key)
    assert retried.procore_hook_id is not None
    assert retried.procore_hook_error is None and retried.last_error is None
    scope = Scope.project(COMPANY, project_id)
    assert [h.id for h in procore.list_hooks(scope, namespace=NAMESPACE)] == [
        retried.procore_hook_id
    ]


def test_disconnect_removes_the_hook(
    world: World, context: IntakeContext, intake: ProjectIntake, procore: ProcoreClient
) -> None:
    project_id = seed_procore_project(world)
    project = intake.connected(
        context.store.projects.create(new_project(project_id, drive_id=new_drive(world)))
    )
    assert project.procore_hook_id is not None
    intake.disconnected(project)
    assert list(procore.list_hooks(Scope.project(COMPANY, project_id), namespace=NAMESPACE)) == []


def test_the_exported_tools_resources_get_triggers_too(
    world: World, settings: Settings, context: IntakeContext, procore: ProcoreClient
) -> None:
    project_id = seed_procore_project(world)
    project = context.store.projects.create(
        new_project(project_id, drive_id=new_drive(world), tools=["documents", "rfis"])
    )
    hook_id = HookRegistrar(procore, settings).ensure(project)
    registered = {
        resource for resource, _ in triggers(procore, Scope.project(COMPANY, project_id), hook_id)
    }
    assert {"Project Folders", "Project Files", "Project File Versions", "RFIs"} <= registered
    assert not registered & {"Images", "Image Categories"}
