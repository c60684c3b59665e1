"""The Procore receiver: the secret is the only authentication, a redelivery enqueues nothing,
every distinct event enqueues its project's tick, and bad input gets a plain answer."""

from __future__ import annotations

import json
from datetime import timedelta

from shared.intake import procore_receiver
from shared.intake.context import IntakeContext
from shared.state.projects import Phase
from tests.intake.world import PROJECT, Queues, event, hours_ago, new_project

SECRET = "Bearer local-procore-webhook-secret-0123456789"


def deliver(context: IntakeContext, payload: object, authorization: str | None = SECRET):
    return procore_receiver.receive(context, authorization, json.dumps(payload).encode())


def test_wrong_or_missing_secret_is_401_and_enqueues_nothing(
    context: IntakeContext, queues: Queues
) -> None:
    context.store.projects.create(new_project())
    for authorization in (
        None,
        "",
        "Bearer wrong-secret-0123456789",
        "Bearer local-procore-webhook-secret-012345678",  # one character short
        "local-procore-webhook-secret-0123456789",  # no scheme
        "Basic local-procore-webhook-secret-0123456789",
    ):
        reply = deliver(context, event(), authorization)
        assert reply.status == 401, authorization
        assert "secret" not in reply.body
    assert queues.ticks() == []


def test_an_event_enqueues_one_tick_named_by_its_ulid(
    context: IntakeContext, queues: Queues
) -> None:
    project = context.store.projects.create(new_project())
    payload = event(ulid="01JN3Q4X0Z8YB6M2K7R5T9W1CD", resource_name="Project Folders")
    reply = deliver(context, payload, "bearer  local-procore-webhook-secret-0123456789 ")
    assert reply.status == 200
    assert json.loads(reply.body) == {"status": "queued", "tick_id": payload["ulid"]}
    [tick] = queues.ticks()
    assert tick.project_key == project.key
    assert tick.tick_id == "01JN3Q4X0Z8YB6M2K7R5T9W1CD"
    assert tick.resources == ["Project Folders"]
    assert tick.reason == "procore-webhook"


def test_the_same_ulid_delivered_twice_enqueues_one_tick(
    context: IntakeContext, queues: Queues
) -> None:
    context.store.projects.create(new_project())
    payload = event()
    first, second = deliver(context, payload), deliver(context, payload)
    assert (first.status, second.status) == (200, 200)
    assert json.loads(second.body) == {"status": "duplicate"}
    assert [t.tick_id for t in queues.ticks()] == [payload["ulid"]]


def test_out_of_order_deliveries_each_enqueue_a_tick(
    context: IntakeContext, queues: Queues
) -> None:
    context.store.projects.create(new_project())
    earlier = event(at=hours_ago(3), event_type="create")
    later = event(at=hours_ago(1), event_type="update")
    assert deliver(context, later).status == 200
    assert deliver(context, earlier).status == 200
    assert deliver(context, later).status == 200  # and a late duplicate of the first
    assert [t.tick_id for t in queues.ticks()] == [later["ulid"], earlier["ulid"]]


def test_unknown_or_not_regular_projects_are_answered_200_and_enqueue_nothing(
    context: IntakeContext, queues: Queues
) -> None:
    context.store.projects.create(new_project(PROJECT + 1, phase=Phase.PAUSED))
    context.store.projects.create(new_project(PROJECT + 2, phase=Phase.INITIAL_SYNC))
    unknown = deliver(context, event(PROJECT + 9))
    assert unknown.status == 200 and json.loads(unknown.body)["reason"] == "unknown project"
    paused = deliver(context, event(PROJECT + 1))
    assert paused.status == 200 and json.loads(paused.body)["reason"] == "project is paused"
    assert deliver(context, event(PROJECT + 2)).status == 200
    company_event = {**event(), "project_id": None}
    assert deliver(context, company_event).status == 200
    assert queues.ticks() == []


def test_bad_bodies_get_400_with_the_reason(context: IntakeContext, queues: Queues) -> None:
    context.store.projects.create(new_project())
    not_json = procore_receiver.receive(context, SECRET, b"{not json")
    assert not_json.status == 400
    assert "not JSON" in json.loads(not_json.body)["error"]
    missing = {k: v for k, v in event().items() if k != "resource_id"}
    answer = deliver(context, missing)
    assert answer.status == 400
    assert "resource_id" in json.loads(answer.body)["error"]
    assert deliver(context, [event()]).status == 400
    assert procore_receiver.receive(context, SECRET, b"\xff\xfe").status == 400
    assert queues.ticks() == []


def test_old_event_ids_are_purged_by_hour(context: IntakeContext, queues: Queues) -> None:
    from shared.intake.event_ledger import EventLedger

    context.store.projects.create(new_project())
    old, recent = event(at=hours_ago(30)), event(at=hours_ago(2))
    assert deliver(context, old).status == 200
    assert deliver(context, recent).status == 200
    ledger = EventLedger(context.store.work.table)
    assert ledger.purge(hours_ago(0), timedelta(hours=24)) == 1
    queues.ticks()
    assert json.loads(deliver(context, recent).body) == {"status": "duplicate"}
    assert json.loads(deliver(context, old).body)["status"] == "queued"
