"""Delta on the drive root: paging, token=latest, latest state per item, tombstones, 410 resync."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import DRIVE, error_of

D = f"/drives/{DRIVE}"


def follow(graph: httpx.Client, url: str) -> tuple[list[dict[str, Any]], str, int]:
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        body = graph.get(url).json()
        pages += 1
        items += body["value"]
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]


def test_initial_enumeration_pages_then_changes(graph: httpx.Client, control: httpx.Client) -> None:
    seeded = control.post(
        f"/drives/{DRIVE}/seed", json={"tree": {"A": {"a1.txt": "1", "a2.txt": "2"}, "b.txt": "b"}}
    ).json()["items"]
    items, link, pages = follow(graph, f"{D}/root/delta?$top=2")
    assert pages == 3
    names = [i["name"] for i in items]
    assert names[0] == "root" and names.index("A") < names.index("a1.txt")
    assert all("cTag" not in i and "path" not in i["parentReference"] for i in items)
    assert all("lastModifiedBy" not in i for i in items)

    actions = [
        {"action": "edit", "path": "/b.txt", "content": "b2"},
        {"action": "edit", "path": "/b.txt", "content": "b3"},
        {"action": "rename", "path": "/A", "name": "A renamed"},
        {"action": "delete", "path": "/A renamed/a2.txt"},
    ]
    for action in actions:
        assert control.post(f"/drives/{DRIVE}/actions", json=action).status_code == 200
    changes, next_link, _ = follow(graph, link)
    by_id = {c["id"]: c for c in changes}
    assert by_id[seeded["/b.txt"]]["size"] == 2
    assert [c["id"] for c in changes].count(seeded["/b.txt"]) == 1
    assert by_id[seeded["/A"]]["name"] == "A renamed"
    assert seeded["/A/a1.txt"] not in by_id
    tombstone = by_id[seeded["/A/a2.txt"]]
    assert tombstone["deleted"] == {"state": "deleted"} and "name" not in tombstone
    assert follow(graph, next_link)[0] == []


def test_token_latest_skips_existing_items(graph: httpx.Client, control: httpx.Client) -> None:
    control.post(f"/drives/{DRIVE}/seed", json={"tree": {"old.txt": "x"}})
    body = graph.get(f"{D}/root/delta?token=latest").json()
    assert body["value"] == [] and "@odata.deltaLink" in body
    control.post(
        f"/drives/{DRIVE}/actions", json={"action": "create", "path": "/new.txt", "content": "n"}
    )
    changes, _, _ = follow(graph, body["@odata.deltaLink"])
    assert [c["name"] for c in changes] == ["new.txt"]


def test_resync_answers_410_with_a_fresh_link(graph: httpx.Client, control: httpx.Client) -> None:
    link = graph.get(f"{D}/root/delta?token=latest").json()["@odata.deltaLink"]
    control.post("/delta/resync", json={"drive_id": DRIVE})
    gone = graph.get(link)
    assert gone.status_code == 410 and error_of(gone)[0] == "resyncRequired"
    assert gone.headers["location"].endswith(f"{D}/root/delta".replace("!", "%21"))
    garbage = graph.get(f"{D}/root/delta?token=not-a-token")
    assert garbage.status_code == 410


def test_delta_only_on_root(graph: httpx.Client) -> None:
    folder = graph.post(f"{D}/root/children", json={"name": "F", "folder": {}}).json()
    response = graph.get(f"{D}/items/{folder['id']}/delta")
    assert response.status_code == 400 and error_of(response)[0] == "invalidRequest"
