"""The Graph receiver: the validation handshake, clientState checked on every entry, one delta
pull per drive of a batch, and notifications of unknown subscriptions dropped."""

from __future__ import annotations

import json
from typing import Any

from shared.intake import graph_receiver
from shared.intake.context import IntakeContext
from tests.intake.world import Queues

STATE = "local-graph-client-state-0123456789"


def notification(
    subscription_id: str, drive_id: str, client_state: str | None = STATE, site: bool = False
) -> dict[str, Any]:
    resource = f"sites/site-1/drives/{drive_id}/root" if site else f"drives/{drive_id}/root"
    return {
        "subscriptionId": subscription_id,
        "subscriptionExpirationDateTime": "2030-01-01T00:00:00Z",
        "clientState": client_state,
        "changeType": "updated",
        "resource": resource,
        "tenantId": "00000000-0000-0000-0000-000000000001",
        "resourceData": {"@odata.type": "#Microsoft.Graph.DriveItem"},
    }


def post(context: IntakeContext, *entries: dict[str, Any]):
    return graph_receiver.receive(context, None, json.dumps({"value": list(entries)}).encode())


def test_validation_token_is_echoed_as_text(context: IntakeContext, queues: Queues) -> None:
    token = "Validation: Testing client application reachability 5f3a+b/c=d&e"
    reply = graph_receiver.receive(context, token, b"")
    assert (reply.status, reply.mimetype, reply.body) == (200, "text/plain", token)
    assert queues.pulls() == []


def test_a_batch_enqueues_one_pull_per_drive(context: IntakeContext, queues: Queues) -> None:
    context.store.drives.set_subscription("b!drive-a", "sub-a", None, "GRAPH_CLIENT_STATE")
    context.store.drives.set_subscription("b!drive-b", "sub-b", None, "GRAPH_CLIENT_STATE")
    reply = post(
        context,
        notification("sub-a", "b!drive-a"),
        notification("sub-b", "b!drive-b", site=True),
        notification("sub-a", "b!drive-a"),
        notification("sub-a", "b!drive-a", site=True),
    )
    assert reply.status == 202
    pulls = queues.pulls()
    assert sorted(p.drive_id for p in pulls) == ["b!drive-a", "b!drive-b"]
    assert {p.reason for p in pulls} == {"notification"}


def test_wrong_client_state_is_dropped(context: IntakeContext, queues: Queues) -> None:
    context.store.drives.set_subscription("b!drive-a", "sub-a", None, "GRAPH_CLIENT_STATE")
    context.store.drives.set_subscription("b!drive-b", "sub-b", None, "GRAPH_CLIENT_STATE")
    reply = post(
        context,
        notification("sub-a", "b!drive-a", client_state="forged-client-state-0123456789"),
        notification("sub-a", "b!drive-a", client_state=None),
        notification("sub-a", "b!drive-a", client_state=STATE[:-1]),
        notification("sub-b", "b!drive-b"),
    )
    assert reply.status == 202
    assert [p.drive_id for p in queues.pulls()] == ["b!drive-b"]


def test_unknown_subscriptions_and_resources_are_dropped(
    context: IntakeContext, queues: Queues
) -> None:
    context.store.drives.set_subscription("b!drive-a", "sub-a", None, "GRAPH_CLIENT_STATE")
    reply = post(
        context,
        notification("sub-old", "b!drive-a"),
        notification("sub-a", "b!drive-unknown"),
        {**notification("sub-a", "b!drive-a"), "resource": "drives/b!drive-a/items/x"},
    )
    assert reply.status == 202
    assert queues.pulls() == []


def test_bad_bodies_get_400(context: IntakeContext, queues: Queues) -> None:
    for body in (b"", b"{", b'{"value": "x"}', b'{"value": [{"clientState": "x"}]}'):
        reply = graph_receiver.receive(context, None, body)
        assert reply.status == 400, body
        assert "notification" in json.loads(reply.body)["error"]
    assert queues.pulls() == []
