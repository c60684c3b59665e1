"""Upload part planning, upload sources and model parsing, without a server."""

from __future__ import annotations

import hashlib
import json

import pytest

from shared.procore import UploadSource
from shared.procore.content import plan_parts
from shared.procore.models import ProcoreFile
from shared.procore.tool_models import ToolItem
from shared.procore.webhook_models import WebhookEvent


def test_parts_are_hashed_in_one_pass_and_cover_the_source() -> None:
    data = bytes(range(256)) * 100  # 25,600 bytes
    plan = plan_parts(UploadSource.from_bytes(data), 10_000)
    assert [(p.offset, p.size) for p in plan.parts] == [
        (0, 10_000),
        (10_000, 10_000),
        (20_000, 5_600),
    ]
    for part in plan.parts:
        chunk = data[part.offset : part.offset + part.size]
        assert part.sha256 == hashlib.sha256(chunk).hexdigest()
    assert plan.sha256 == hashlib.sha256(data).hexdigest()


def test_a_range_is_read_back_exactly() -> None:
    data = bytes(range(256)) * 10_000
    source = UploadSource.from_bytes(data)
    assert b"".join(source.read_range(1_000_000, 700_000)) == data[1_000_000:1_700_000]


def test_chunks_are_spooled_and_their_size_checked() -> None:
    source = UploadSource.from_chunks(iter([b"ab", b"cd"]), 4)
    try:
        assert source.read_all() == b"abcd"
    finally:
        source.close()
    with pytest.raises(ValueError, match="announced"):
        UploadSource.from_chunks(iter([b"abc"]), 4)


def test_a_source_shorter_than_announced_is_refused() -> None:
    import io

    source = UploadSource(10, lambda: io.BytesIO(b"short"))
    with pytest.raises(Exception, match="ended before"):
        plan_parts(source, 4)


def test_the_latest_version_gives_the_download_url_whatever_the_order() -> None:
    file = ProcoreFile.model_validate(
        {
            "id": 4300100123,
            "name": "S-101.pdf",
            "file_versions": [
                {"id": 2, "number": 2, "url": "http://x/prostore/blobs/2"},
                {"id": 1, "number": 1, "url": "http://x/prostore/blobs/1"},
            ],
        }
    )
    assert file.download_url == "http://x/prostore/blobs/2"


def test_tool_items_take_common_names_and_keep_other_fields() -> None:
    item = ToolItem.model_validate(
        {
            "id": 7,
            "full_number": "RFI-007",
            "subject": "Slab edge detail",
            "status": {"name": "Open"},
            "questions": [{"body": "?"}],
            "attachments": [{"id": 1, "filename": "sketch.pdf", "url": "http://x/a"}],
        }
    )
    assert (item.number, item.title, item.status) == ("RFI-007", "Slab edge detail", "Open")
    assert item.attachments[0].name == "sketch.pdf"
    assert item.fields["questions"] == [{"body": "?"}]


def test_the_v2_webhook_payload_parses() -> None:
    body = json.dumps(
        {
            "id": 4300900001,
            "ulid": "01JN3Q4X0Z8YB6M2K7R5T9W1CD",
            "timestamp": "2025-03-01T10:15:30.123456Z",
            "metadata": {
                "source_user_id": 4300000501,
                "source_project_id": 4300000101,
                "source_operation_id": None,
                "source_company_id": 4300000001,
                "source_application_id": 4300000601,
            },
            "user_id": 4300000501,
            "company_id": 4300000001,
            "project_id": 4300000101,
            "api_version": "v2.0",
            "event_type": "create",
            "resource_name": "Project Files",
            "resource_id": 4300100123,
        }
    )
    event = WebhookEvent.model_validate_json(body)
    assert event.resource_id == 4300100123
    assert event.metadata.source_application_id == 4300000601
