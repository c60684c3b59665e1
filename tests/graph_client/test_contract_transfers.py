"""Contract: simple and session uploads (streamed, resumable, fileSystemInfo), downloads by
302 to a pre-authenticated URL, Office rewrites, against the Graph emulator."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

import pytest

from shared.errors import Conflict
from shared.graph import GraphClient
from shared.graph.quickxor import quick_xor_hash
from tests.graph_client.conftest import Emulator

DRIVE = "b!documents-construction"
CHUNK = 320 * 1024


def test_small_upload_round_trip(emulator: Emulator, graph: GraphClient) -> None:
    root = graph.get_item_by_path(DRIVE, "")
    data = random.Random(1).randbytes(10_000)
    result = graph.upload_file(DRIVE, io.BytesIO(data), len(data), parent_id=root.id, name="s.bin")
    assert result.item.size == len(data)
    assert result.item.quick_xor_hash == quick_xor_hash(data) == result.sent_quick_xor_hash
    assert emulator.content(DRIVE, "/s.bin") == data
    sink = io.BytesIO()
    assert graph.download(DRIVE, result.item.id, sink) == len(data)
    assert sink.getvalue() == data
    with pytest.raises(Conflict):
        graph.upload_file(DRIVE, io.BytesIO(b"x"), 1, parent_id=root.id, name="S.BIN")
    renamed = graph.upload_file(
        DRIVE, io.BytesIO(b"x"), 1, parent_id=root.id, name="s.bin", conflict_behavior="rename"
    )
    assert renamed.item.name != "s.bin"


def test_session_upload_streams_chunks_and_keeps_timestamps(
    emulator: Emulator, graph: GraphClient
) -> None:
    root = graph.get_item_by_path(DRIVE, "")
    data = random.Random(2).randbytes(3 * CHUNK + 777)
    created = datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)
    modified = datetime(2024, 6, 7, 8, 9, 10, tzinfo=UTC)
    result = graph.upload_file(
        DRIVE,
        io.BytesIO(data),
        len(data),
        parent_id=root.id,
        name="big.bin",
        created=created,
        modified=modified,
    )
    item = result.item
    assert item.size == len(data)
    assert item.quick_xor_hash == quick_xor_hash(data)
    assert item.file_system_info is not None
    assert item.file_system_info.created_date_time == created
    assert item.file_system_info.last_modified_date_time == modified
    assert emulator.content(DRIVE, "/big.bin") == data
    sink = io.BytesIO()
    graph.download(DRIVE, item.id, sink)
    assert sink.getvalue() == data


def test_session_upload_replaces_content_with_if_match(
    emulator: Emulator, graph: GraphClient
) -> None:
    ids = emulator.seed(DRIVE, {"r.bin": "old"})
    current = graph.get_item(DRIVE, ids["/r.bin"])
    data = random.Random(3).randbytes(CHUNK + 5)
    result = graph.upload_large(
        DRIVE, io.BytesIO(data), len(data), item_id=current.id, if_match=current.e_tag
    )
    assert result.item.id == current.id
    assert emulator.content(DRIVE, "/r.bin") == data
    assert len(graph.list_versions(DRIVE, current.id)) == 2


class FaultOnRead(io.BytesIO):
    """A source that switches on an emulator fault just before its n-th chunk is sent."""

    def __init__(self, data: bytes, emulator: Emulator, on_read: int, fault: dict[str, object]):
        super().__init__(data)
        self.emulator = emulator
        self.reads = 0
        self.on_read = on_read
        self.fault = fault

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads += 1
        if self.reads == self.on_read:
            self.emulator.post("/faults", self.fault)
        return super().read(size)


def test_session_upload_resumes_after_a_dropped_chunk(
    emulator: Emulator, graph: GraphClient
) -> None:
    root = graph.get_item_by_path(DRIVE, "")
    data = random.Random(4).randbytes(4 * CHUNK)
    source = FaultOnRead(
        data, emulator, on_read=3, fault={"kind": "drop", "count": 1, "path_prefix": "/_upload/"}
    )
    result = graph.upload_large(DRIVE, source, len(data), parent_id=root.id, name="resumed.bin")
    assert result.item.size == len(data)
    assert emulator.content(DRIVE, "/resumed.bin") == data
    faults = emulator.get("/faults")
    assert [f["hits"] for f in faults] == [1]  # the chunk really was dropped once


def test_office_rewrite_is_visible_in_the_result(emulator: Emulator, graph: GraphClient) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    data = buffer.getvalue()
    root = graph.get_item_by_path(DRIVE, "")
    result = graph.upload_file(DRIVE, io.BytesIO(data), len(data), parent_id=root.id, name="r.docx")
    assert result.sent_quick_xor_hash == quick_xor_hash(data)
    assert result.item.quick_xor_hash != result.sent_quick_xor_hash
    assert result.item.size != len(data)


def test_download_url_from_a_listing_needs_no_token(emulator: Emulator, graph: GraphClient) -> None:
    ids = emulator.seed(DRIVE, {"L": {"x.txt": "listed content"}})
    (child,) = list(graph.list_children(DRIVE, ids["/L"]))
    assert child.download_url
    sink = io.BytesIO()
    graph.download_url(child.download_url, sink)
    assert sink.getvalue() == b"listed content"
