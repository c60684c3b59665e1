"""The connect request: every bad field is reported; folders may not overlap."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.mapping import ConnectRequest, Tool, folders_overlap, project_key

GOOD: dict[str, Any] = {
    "procore_company_id": 4000001,
    "procore_project_id": 5_000_000_001,
    "sharepoint": {
        "site_hostname": "contoso.sharepoint.com",
        "site_path": "/sites/Construction/",
        "library": "Documents",
        "folder_path": "/Projects//Tower A/",
    },
    "tools": ["documents", "photos", "rfis"],
    "recipients": ["dc@contoso.example"],
}


def test_a_good_request_is_normalised() -> None:
    request = ConnectRequest.model_validate(GOOD)
    assert request.key == "4000001-5000000001"
    assert request.sharepoint.site_path == "/sites/Construction"
    assert request.sharepoint.folder_path == "Projects/Tower A"
    assert request.folder_for(Tool.RFIS) == "RFIs"
    assert request.conflict_policy.value == "newest_wins"


def test_every_bad_field_is_reported_at_once() -> None:
    bad = {
        **GOOD,
        "procore_company_id": 0,
        "procore_project_id": "abc",
        "sharepoint": {**GOOD["sharepoint"], "site_path": "sites/x", "folder_path": "a/b:c"},
        "tools": ["documents", "documents", "bogus"],
        "recipients": ["not-an-email"],
        "conflict_policy": "coin_flip",
        "delete_limit": -1,
        "surprise": True,
    }
    with pytest.raises(ValidationError) as caught:
        ConnectRequest.model_validate(bad)
    fields = {".".join(str(p) for p in e["loc"][:2]) for e in caught.value.errors()}
    assert {
        "procore_company_id",
        "procore_project_id",
        "sharepoint.site_path",
        "sharepoint.folder_path",
        "tools.2",
        "recipients.0",
        "conflict_policy",
        "delete_limit",
        "surprise",
    } <= fields


def test_tool_folders_must_be_valid_and_distinct() -> None:
    with pytest.raises(ValidationError, match="not a name SharePoint accepts"):
        ConnectRequest.model_validate({**GOOD, "tool_folders": {"rfis": "RFI?"}})
    with pytest.raises(ValidationError, match="share one folder"):
        ConnectRequest.model_validate({**GOOD, "tool_folders": {"rfis": "documents"}})


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("Projects/Tower A", "Projects/Tower A", True),
        ("Projects/Tower A", "projects/tower a/", True),
        ("Projects", "Projects/Tower A", True),
        ("", "Projects/Tower A", True),
        ("Projects/Tower A", "Projects/Tower B", False),
        ("Projects/Tower", "Projects/Tower A", False),
    ],
)
def test_folder_overlap(a: str, b: str, overlap: bool) -> None:
    assert folders_overlap(a, b) is overlap
    assert folders_overlap(b, a) is overlap


def test_project_key() -> None:
    assert project_key(1, 2) == "1-2"
