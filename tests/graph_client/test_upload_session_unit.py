"""Upload-session streaming against a scripted session (httpx.MockTransport): chunking by
GRAPH_UPLOAD_CHUNK_BYTES, no token on the upload URL, and resuming after a dropped chunk from
the session's `nextExpectedRanges`."""

from __future__ import annotations

import io
import json
import random
import re

import httpx

from shared.graph import GraphClient, UploadResult
from shared.graph.quickxor import quick_xor_hash
from tests.graph_client.conftest import API, FixedToken, graph_settings

CHUNK = 320 * 1024
UPLOAD_URL = "https://upload.test/session/abc"


class ScriptedSession:
    """Accepts fragments in order; can drop a request after storing part of it."""

    def __init__(self, total: int, drop_on_put: int | None, keep_of_dropped: int) -> None:
        self.total = total
        self.received = bytearray()
        self.puts = 0
        self.drop_on_put = drop_on_put
        self.keep_of_dropped = keep_of_dropped
        self.requests: list[httpx.Request] = []
        self.create_body: dict[str, object] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/createUploadSession"):
            self.create_body = json.loads(request.content)
            return httpx.Response(200, json={"uploadUrl": UPLOAD_URL, "nextExpectedRanges": ["0-"]})
        assert str(request.url) == UPLOAD_URL
        if request.method == "GET":
            return httpx.Response(200, json={"nextExpectedRanges": [f"{len(self.received)}-"]})
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers["Content-Range"])
        assert match is not None
        start, end, total = (int(g) for g in match.groups())
        assert total == self.total
        assert start == len(self.received), "fragment must start at the next expected byte"
        body = request.content
        assert len(body) == end - start + 1
        self.puts += 1
        if self.puts == self.drop_on_put:
            self.received += body[: self.keep_of_dropped]
            raise httpx.RemoteProtocolError("connection dropped", request=request)
        self.received += body
        if len(self.received) == self.total:
            return httpx.Response(
                201,
                json={
                    "id": "item1",
                    "name": "big.bin",
                    "size": self.total,
                    "file": {"hashes": {"quickXorHash": quick_xor_hash(bytes(self.received))}},
                },
            )
        return httpx.Response(202, json={"nextExpectedRanges": [f"{len(self.received)}-"]})


def run_upload(session: ScriptedSession, data: bytes) -> tuple[GraphClient, UploadResult]:
    settings = graph_settings(GRAPH_UPLOAD_CHUNK_BYTES=str(CHUNK))
    client = GraphClient(
        settings, transport=httpx.MockTransport(session), auth=FixedToken(settings)
    )
    result = client.upload_large("d1", io.BytesIO(data), len(data), parent_id="p1", name="big.bin")
    return client, result


def test_chunks_are_sent_in_order_without_the_token() -> None:
    data = random.Random(1).randbytes(CHUNK * 3 + 1234)
    session = ScriptedSession(len(data), drop_on_put=None, keep_of_dropped=0)
    _, result = run_upload(session, data)
    assert bytes(session.received) == data
    puts = [r for r in session.requests if r.method == "PUT"]
    assert [len(r.content) for r in puts] == [CHUNK, CHUNK, CHUNK, 1234]
    assert all("Authorization" not in r.headers for r in puts)
    create = session.requests[0]
    assert create.headers["Authorization"] == "Bearer unit-test-token"
    assert session.create_body["item"] == {
        "@microsoft.graph.conflictBehavior": "fail",
        "name": "big.bin",
        "fileSize": len(data),
    }
    assert result.sent_quick_xor_hash == quick_xor_hash(data)
    assert result.item.quick_xor_hash == quick_xor_hash(data)


def test_a_dropped_chunk_resumes_from_next_expected_ranges() -> None:
    data = random.Random(2).randbytes(CHUNK * 3)
    kept = 100_000
    session = ScriptedSession(len(data), drop_on_put=2, keep_of_dropped=kept)
    _, result = run_upload(session, data)
    assert bytes(session.received) == data
    methods = [(r.method, r.headers.get("Content-Range")) for r in session.requests[1:]]
    assert methods == [
        ("PUT", f"bytes 0-{CHUNK - 1}/{len(data)}"),
        ("PUT", f"bytes {CHUNK}-{2 * CHUNK - 1}/{len(data)}"),
        ("GET", None),
        ("PUT", f"bytes {CHUNK + kept}-{2 * CHUNK - 1}/{len(data)}"),
        ("PUT", f"bytes {2 * CHUNK}-{3 * CHUNK - 1}/{len(data)}"),
    ]
    assert result.item.size == len(data)


def test_small_file_without_timestamps_is_one_put() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "i9", "name": "a b#1.txt", "size": 3})

    settings = graph_settings()
    client = GraphClient(
        settings, transport=httpx.MockTransport(handler), auth=FixedToken(settings)
    )
    result = client.upload_file("d1", io.BytesIO(b"abc"), 3, parent_id="p1", name="a b#1.txt")
    (request,) = seen
    assert request.method == "PUT"
    assert request.url.raw_path.decode() == (
        "/v1.0/drives/d1/items/p1:/a%20b%231.txt:/content?%40microsoft.graph.conflictBehavior=fail"
    )
    assert str(request.url).startswith(API)
    assert request.content == b"abc"
    assert result.item.id == "i9"
