"""Upload sessions: 320 KiB multiples, ordered, nextExpectedRanges, 416, cancel, expiry, no auth."""

from __future__ import annotations

import time

import httpx

from emulators.graph.quickxor import quick_xor_hash

from .conftest import DRIVE, error_of

D = f"/drives/{DRIVE}"
UNIT = 320 * 1024


def session(graph: httpx.Client, path: str, item: dict[str, object] | None = None) -> str:
    response = graph.post(f"{D}/root:{path}:/createUploadSession", json={"item": item or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nextExpectedRanges"] == ["0-"]
    return str(body["uploadUrl"])


def fragment(client: httpx.Client, url: str, data: bytes, start: int, total: int) -> httpx.Response:
    end = start + len(data) - 1
    return client.put(url, content=data, headers={"Content-Range": f"bytes {start}-{end}/{total}"})


def test_fragments_in_order_then_item(
    graph: httpx.Client, anonymous: httpx.Client, control: httpx.Client
) -> None:
    data = bytes(range(256)) * (UNIT * 2 // 256) + b"tail"
    stamp = {"lastModifiedDateTime": "2022-05-06T07:08:09Z"}
    url = session(graph, "/big/../big.bin".replace("/big/..", ""), {"fileSystemInfo": stamp})
    first = fragment(anonymous, url, data[:UNIT], 0, len(data))
    assert first.status_code == 202
    assert first.json()["nextExpectedRanges"] == [f"{UNIT}-"]
    assert anonymous.get(url).json()["nextExpectedRanges"] == [f"{UNIT}-"]
    second = fragment(anonymous, url, data[UNIT : 2 * UNIT], UNIT, len(data))
    assert second.status_code == 202
    done = fragment(anonymous, url, data[2 * UNIT :], 2 * UNIT, len(data))
    assert done.status_code == 201
    item = done.json()
    assert item["size"] == len(data)
    assert item["file"]["hashes"]["quickXorHash"] == quick_xor_hash(data)
    assert item["fileSystemInfo"]["lastModifiedDateTime"] == "2022-05-06T07:08:09.000Z"
    assert control.get(f"/drives/{DRIVE}/content", params={"path": "/big.bin"}).content == data


def test_authorization_header_on_upload_url_is_refused(graph: httpx.Client) -> None:
    url = session(graph, "/a.bin")
    response = graph.put(url, content=b"abc", headers={"Content-Range": "bytes 0-2/3"})
    assert response.status_code == 401


def test_fragment_rules(graph: httpx.Client, anonymous: httpx.Client) -> None:
    url = session(graph, "/r.bin")
    total = UNIT * 3
    odd = fragment(anonymous, url, b"x" * 1000, 0, total)
    assert odd.status_code == 400 and error_of(odd)[1] == "invalidRange"
    assert fragment(anonymous, url, b"x" * UNIT, 0, total).status_code == 202
    overlap = fragment(anonymous, url, b"x" * UNIT, 0, total)
    assert overlap.status_code == 416 and error_of(overlap) == ("invalidRange", "fragmentOverlap")
    gap = fragment(anonymous, url, b"x" * UNIT, 2 * UNIT, total)
    assert gap.status_code == 416 and error_of(gap)[1] == "fragmentOutOfOrder"
    other_total = fragment(anonymous, url, b"x" * UNIT, UNIT, total + 1)
    assert other_total.status_code == 400
    huge = anonymous.put(
        url,
        content=b"",
        headers={"Content-Range": f"bytes {UNIT}-{UNIT + 60 * 1024 * 1024}/{total * 400}"},
    )
    assert huge.status_code == 413 and error_of(huge)[1] == "maxFragmentLengthExceeded"


def test_cancel_then_404(graph: httpx.Client, anonymous: httpx.Client) -> None:
    url = session(graph, "/c.bin")
    assert anonymous.delete(url).status_code == 204
    gone = fragment(anonymous, url, b"abc", 0, 3)
    assert gone.status_code == 404 and error_of(gone)[1] == "uploadSessionNotFound"


def test_session_expires(
    graph: httpx.Client, control: httpx.Client, anonymous: httpx.Client
) -> None:
    control.post("/settings", json={"upload_session_ttl_s": 0.2})
    url = session(graph, "/e.bin")
    deadline = time.monotonic() + 5
    status = anonymous.get(url).status_code
    while status != 404 and time.monotonic() < deadline:
        status = anonymous.get(url).status_code
    assert status == 404


def test_commit_name_clash_with_fail_is_409(graph: httpx.Client, anonymous: httpx.Client) -> None:
    url = session(graph, "/n.bin", {"@microsoft.graph.conflictBehavior": "fail"})
    graph.put(f"{D}/root:/N.bin:/content", content=b"other")
    clash = fragment(anonymous, url, b"abc", 0, 3)
    assert clash.status_code == 409 and error_of(clash)[0] == "nameAlreadyExists"


def test_replace_existing_item_by_id_makes_a_version(
    graph: httpx.Client, anonymous: httpx.Client
) -> None:
    item = graph.put(f"{D}/root:/v.bin:/content", content=b"one").json()
    response = graph.post(
        f"{D}/items/{item['id']}/createUploadSession", json={}, headers={"If-Match": item["eTag"]}
    )
    done = fragment(anonymous, response.json()["uploadUrl"], b"two!", 0, 4)
    assert done.status_code == 200 and done.json()["id"] == item["id"]
    versions = graph.get(f"{D}/items/{item['id']}/versions").json()["value"]
    assert len(versions) == 2
    stale = graph.post(
        f"{D}/items/{item['id']}/createUploadSession", json={}, headers={"If-Match": item["eTag"]}
    )
    assert stale.status_code == 412
