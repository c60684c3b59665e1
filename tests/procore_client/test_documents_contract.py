"""Contract: the client's Documents operations against the Procore emulator."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from shared.procore import ProcoreClient, Scope, UploadSource
from tests.procore_client.conftest import (
    COMPANY_ID,
    FORBIDDEN_PROJECT_ID,
    Emulator,
    make_client,
    no_emulator_errors,
)

pytestmark = pytest.mark.integration


def test_walk_lists_every_folder_once_with_download_urls(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    tree = emulator.tree()
    expected_folders = {i["path"] for i in tree["items"] if i["type"] == "folder"}
    expected_files = {i["path"]: i["size"] for i in tree["items"] if i["type"] == "file"}

    seen_folders: set[str] = set()
    seen_files: dict[str, int | None] = {}
    listings = 0
    for listing in client.walk(project):
        listings += 1
        if listing.parent_id is not None:
            seen_folders.add(listing.name_with_path or "")
        for file in listing.files:
            assert file.download_url, file.name
            seen_files[file.name_with_path or ""] = file.size
    assert seen_folders == expected_folders
    assert seen_files == expected_files
    counters = emulator.counters_at(listings + 1)
    folder_requests = sum(
        n for k, n in counters["by_endpoint"].items() if k.startswith("GET /rest/v1.0/folders")
    )
    assert folder_requests == listings == len(expected_folders) + 1
    assert counters["total"] == listings + 1  # plus the one token request
    no_emulator_errors(emulator)


def test_download_round_trips_bytes_and_storage_gets_no_token(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    info = emulator.lookup("Drawings/Structural/S-101 Foundations.pdf")
    file = client.get_file(project, info["id"])
    assert len(file.file_versions) == 2
    latest = file.latest_version
    assert latest is not None and latest.number == 2 and latest.url
    sink = io.BytesIO()
    written = client.download_to(project, latest.url, sink)
    assert sink.getvalue() == emulator.file_content(info["id"])
    assert written == file.size == 39004
    by_status = emulator.counters_when(lambda c: any("/_storage/" in k for k in c["by_endpoint"]))[
        "by_endpoint_status"
    ]
    storage = {k: v for k, v in by_status.items() if "/_storage/" in k}
    assert storage and all(set(v) == {"200"} for v in storage.values()), storage
    oldest = min(file.file_versions, key=lambda v: v.number or 0)
    assert oldest.url is not None
    assert b"".join(client.download(project, oldest.url)) == emulator.file_content(
        info["id"], version=1
    )


def test_folder_create_rename_move_delete(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    root = client.get_folder(project)
    made = client.create_folder(project, "Submittal Log", parent_id=root.id)
    assert made.name == "Submittal Log" and made.parent_id == root.id
    assert emulator.lookup("Submittal Log")["id"] == made.id
    with pytest.raises(Conflict):
        client.create_folder(project, "submittal log", parent_id=root.id)
    renamed = client.rename_folder(project, made.id, "Submittals 2025")
    assert renamed.name == "Submittals 2025"
    drawings = emulator.lookup("Drawings")["id"]
    moved = client.move_folder(project, made.id, drawings)
    assert moved.parent_id == drawings
    assert emulator.lookup("Drawings/Submittals 2025")["id"] == made.id
    with pytest.raises(InvalidRequest):
        client.move_folder(project, drawings, made.id)  # into its own descendant
    client.delete_folder(project, made.id)
    assert client.get_folder(project, made.id).is_deleted
    assert all(f.id != made.id for f in client.get_folder(project, drawings).folders)
    no_emulator_errors(emulator)


def test_small_upload_is_one_multipart_post_and_round_trips(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    parent = emulator.lookup("Specifications")["id"]
    data = os.urandom(200_000)
    file = client.upload_file(
        project,
        parent,
        "Addendum 1.pdf",
        UploadSource.from_bytes(data),
        content_type="application/pdf",
    )
    assert file.name == "Addendum 1.pdf" and file.parent_id == parent and file.size == len(data)
    assert emulator.file_content(file.id) == data
    posts = emulator.counters_when(lambda c: "POST /rest/v1.0/files" in c["by_endpoint"])
    assert posts["by_endpoint"]["POST /rest/v1.0/files"] == 1
    with pytest.raises(Conflict):
        client.upload_file(project, parent, "Addendum 1.pdf", UploadSource.from_bytes(b"x"))
    renamed = client.upload_file(
        project, parent, "Addendum 1.pdf", UploadSource.from_bytes(b"x"), unique_name=True
    )
    assert renamed.name == "Addendum 1 (1).pdf"


@pytest.mark.parametrize("flow", ["v1.1", "v2.1"])
def test_large_upload_goes_in_parts_and_round_trips(
    emulator: Emulator, project: Scope, tmp_path: object, flow: str
) -> None:
    part = 5 * 1024 * 1024 + 1
    size = 2 * part + 12345
    data = os.urandom(size)
    with make_client(
        emulator,
        PROCORE_UPLOAD_PART_BYTES=part,
        PROCORE_DIRECT_UPLOAD_MAX_BYTES=1024 * 1024,
        PROCORE_UPLOAD_FLOW=flow,
    ) as client:
        source = UploadSource.from_chunks(
            (data[i : i + 100_000] for i in range(0, size, 100_000)), size
        )
        try:
            file = client.upload_file(project, None, f"Model {flow}.ifc", source)
        finally:
            source.close()
    assert file.size == size
    assert emulator.file_info(file.id)["sha256"] == hashlib.sha256(data).hexdigest()
    counters = emulator.counters_when(lambda c: "POST /rest/v1.0/files" in c["by_endpoint"])[
        "by_endpoint"
    ]
    part_puts = sum(n for k, n in counters.items() if k.startswith("PUT /_storage"))
    assert part_puts == 3
    assert counters.get("POST /rest/v1.0/files") == 1


def test_add_version_direct_and_in_parts(emulator: Emulator, project: Scope) -> None:
    info = emulator.lookup("Project Directory.xlsx")
    part = 5 * 1024 * 1024 + 1
    with make_client(
        emulator, PROCORE_UPLOAD_PART_BYTES=part, PROCORE_DIRECT_UPLOAD_MAX_BYTES=1024 * 1024
    ) as client:
        small = os.urandom(5000)
        v2 = client.add_version(project, info["id"], UploadSource.from_bytes(small))
        assert v2.latest_version is not None and v2.latest_version.number == 2
        big = os.urandom(part + 10)
        v3 = client.add_version(project, info["id"], UploadSource.from_bytes(big))
        assert v3.latest_version is not None and v3.latest_version.number == 3
        assert v3.name == "Project Directory.xlsx"
    assert emulator.file_content(info["id"], version=2) == small
    assert emulator.file_content(info["id"]) == big


def test_file_rename_move_delete(emulator: Emulator, client: ProcoreClient, project: Scope) -> None:
    info = emulator.lookup("Drawings/Architectural/A-101 Floor Plan.pdf")
    renamed = client.rename_file(project, info["id"], "A-101 Ground Floor Plan.pdf")
    assert renamed.name == "A-101 Ground Floor Plan.pdf"
    target = emulator.lookup("Specifications")["id"]
    moved = client.move_file(project, info["id"], target)
    assert moved.parent_id == target
    assert emulator.lookup("Specifications/A-101 Ground Floor Plan.pdf")["id"] == info["id"]
    client.delete_file(project, info["id"])
    assert client.get_file(project, info["id"]).is_deleted
    assert emulator.file_info(info["id"])["is_deleted"]


def test_changes_since_a_time_include_edits_and_deletes(
    emulator: Emulator, client: ProcoreClient, project: Scope
) -> None:
    # a watermark in the service's own time, as the sync keeps it
    before = max(e.updated_at for e in client.list_documents(project) if e.updated_at)
    before += timedelta(milliseconds=1)
    assert list(client.list_document_changes(project, before)) == []
    made = client.create_folder(project, "New Folder")
    gone = emulator.lookup("Specifications/03 30 00 Cast-in-Place Concrete.pdf")["id"]
    client.delete_file(project, gone)
    edited = emulator.lookup("Project Directory.xlsx")["id"]
    client.add_version(project, edited, UploadSource.from_bytes(b"v2"))
    changes = list(client.list_document_changes(project, before))
    by_id = {e.id: e for e in changes}
    assert {made.id, gone, edited} <= set(by_id)
    extras = set(by_id) - {made.id, gone, edited}
    assert all(by_id[i].is_folder for i in extras)  # a parent may show the change too
    assert by_id[made.id].is_folder
    assert by_id[gone].is_deleted
    live = [e for e in changes if not e.is_deleted]
    stamps = [e.updated_at for e in live]
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    later = list(client.list_document_changes(project, datetime.now(UTC) + timedelta(minutes=1)))
    assert later == []


def test_company_documents(emulator: Emulator, client: ProcoreClient, company: Scope) -> None:
    listings = list(client.walk(company))
    files = [f for listing in listings for f in listing.files]
    assert [f.name_with_path for f in files] == ["Templates/Safety Plan Template.docx"]
    assert files[0].download_url is not None
    content = b"".join(client.download(company, files[0].download_url))
    assert content == emulator.file_content(files[0].id)
    templates = next(f for listing in listings for f in listing.folders if f.name == "Templates")
    made = client.upload_file(company, templates.id, "Permit.pdf", UploadSource.from_bytes(b"%PDF"))
    assert emulator.lookup("Templates/Permit.pdf", project_id=None)["id"] == made.id
    sub = client.create_folder(company, "Forms", parent_id=templates.id)
    client.move_file(company, made.id, sub.id)
    assert emulator.lookup("Templates/Forms/Permit.pdf", project_id=None)["id"] == made.id
    changed = {
        e.id
        for e in client.list_document_changes(company, datetime.now(UTC) - timedelta(minutes=5))
    }
    assert {made.id, sub.id} <= changed


def test_a_project_the_app_is_not_permitted_on_is_permission_denied(
    client: ProcoreClient,
) -> None:
    with pytest.raises(PermissionDenied):
        client.get_folder(Scope.project(COMPANY_ID, FORBIDDEN_PROJECT_ID))


def test_missing_resources_are_not_found(client: ProcoreClient, project: Scope) -> None:
    with pytest.raises(NotFound):
        client.get_file(project, 4399999999)
    with pytest.raises(NotFound):
        client.get_folder(project, 4399999998)
