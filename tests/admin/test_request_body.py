"""A connect body that is not JSON, or not valid, is refused with every field problem named."""

from __future__ import annotations

import json

import pytest

from shared.admin import InvalidInput, parse_body, parse_flag
from shared.mapping import ConnectRequest, Tool


def valid() -> dict[str, object]:
    return {
        "procore_company_id": 4300000001,
        "procore_project_id": 4300000101,
        "sharepoint": {
            "site_hostname": "contoso.sharepoint.com",
            "site_path": "/sites/Construction",
            "library": "Documents",
            "folder_path": "Projects/Harbor View",
        },
    }


def problems(body: bytes) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        parse_body(ConnectRequest, body)
    answer = refused.value.body()
    assert answer["error"] == "invalid request"
    assert refused.value.status == 400
    return {p["field"]: p["message"] for p in answer["fields"]}


def test_a_valid_body_becomes_the_request_with_its_defaults() -> None:
    request = parse_body(ConnectRequest, json.dumps(valid()).encode())
    assert request.key == "4300000001-4300000101"
    assert request.tools == [Tool.DOCUMENTS, Tool.PHOTOS]
    assert request.sharepoint.folder_path == "Projects/Harbor View"


def test_every_field_problem_is_listed_at_once() -> None:
    body = valid()
    body["procore_company_id"] = -1
    body["tools"] = ["documents", "blueprints"]
    body["recipients"] = ["pat@contoso.example", "not-an-address"]
    body["delete_limit"] = -5
    body["colour"] = "blue"
    body["sharepoint"] = {
        "site_hostname": "contoso sharepoint",
        "site_path": "sites/Construction",
        "library": "",
        "folder_path": "Projects/Bad:Name",
    }
    found = problems(json.dumps(body).encode())
    assert set(found) == {
        "procore_company_id",
        "tools[1]",
        "recipients[1]",
        "delete_limit",
        "colour",
        "sharepoint.site_hostname",
        "sharepoint.site_path",
        "sharepoint.library",
        "sharepoint.folder_path",
    }
    assert found["colour"] == "unknown field"
    assert "'Bad:Name' is not a name SharePoint accepts" in found["sharepoint.folder_path"]
    assert found["sharepoint.site_path"].startswith("must start with '/'")


def test_missing_fields_are_named() -> None:
    found = problems(b"{}")
    assert set(found) == {"procore_company_id", "procore_project_id", "sharepoint"}
    assert all(message == "Field required" for message in found.values())


def test_a_bad_tool_folder_key_names_the_key() -> None:
    body = valid()
    body["tool_folders"] = {"bogus": "Stuff"}
    found = problems(json.dumps(body).encode())
    assert list(found) == ["tool_folders.bogus"]
    assert found["tool_folders.bogus"].startswith("not an accepted key")


def test_two_tools_in_one_folder_is_a_body_problem() -> None:
    body = valid()
    body["tool_folders"] = {"photos": "documents"}
    found = problems(json.dumps(body).encode())
    assert found == {"body": "two tools would share one folder; give each tool its own folder"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "a JSON object is required"),
        (b"   ", "a JSON object is required"),
        (b"[1, 2]", "a JSON object is required, got an array"),
        (b'"text"', "a JSON object is required, got a string"),
        (b"null", "a JSON object is required, got null"),
    ],
)
def test_a_body_that_is_not_an_object_is_refused(body: bytes, message: str) -> None:
    assert problems(body) == {"body": message}


def test_a_body_that_is_not_json_is_refused_with_the_parser_message() -> None:
    found = problems(b"{procore_company_id: 1")
    assert found["body"].startswith("not valid JSON: ")
    assert problems(b"\xff\xfe{")["body"].startswith("not valid JSON: ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("false", False), ("0", False), ("true", True), ("TRUE", True)],
)
def test_flags(value: str | None, expected: bool) -> None:
    assert parse_flag("force", value) is expected


def test_an_unclear_flag_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_flag("force", "perhaps")
    assert refused.value.body()["fields"] == [
        {"field": "force", "message": "must be true or false"}
    ]
