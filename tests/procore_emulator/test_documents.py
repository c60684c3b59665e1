"""Documents tool: folders and files, recycle bin, versions, name clashes, the index (A5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.procore_emulator.conftest import COMPANY_ID, PROJECT_ID, Procore

Q = {"project_id": PROJECT_ID}


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def test_root_lists_direct_children_with_documented_fields(procore: Procore) -> None:
    root = procore.get("/v1.0/folders", params=Q).json()
    assert root["parent_id"] is None
    assert [f["name"] for f in root["folders"]] == [
        "Contracts",
        "Drawings",
        "Site Photos Archive",
        "Specifications",
    ]
    assert [f["name"] for f in root["files"]] == ["Project Directory.xlsx"]
    drawings = next(f for f in root["folders"] if f["name"] == "Drawings")
    assert drawings["folders"] == [] and drawings["files"] == []
    assert drawings["has_children_folders"] is True
    assert drawings["id"] > 2**32
    contracts = next(f for f in root["folders"] if f["name"] == "Contracts")
    assert contracts["private"] is True
    file = root["files"][0]
    for key in (
        "id",
        "name",
        "parent_id",
        "size",
        "created_at",
        "updated_at",
        "name_with_path",
        "private",
        "file_type",
        "file_versions",
        "is_deleted",
        "checked_out_until",
    ):
        assert key in file
    assert file["size"] == 8192
    version = file["file_versions"][0]
    assert (
        version["number"] == 1
        and version["size"] == 8192
        and version["url"].startswith(procore.base)
    )


def test_folder_listing_versions_newest_first_and_latest_only(procore: Procore) -> None:
    folder_id = procore.lookup("Drawings/Structural")
    listing = procore.get(f"/v1.0/folders/{folder_id}", params=Q).json()
    file = listing["files"][0]
    assert file["name_with_path"] == "Drawings/Structural/S-101 Foundations.pdf"
    assert [v["number"] for v in file["file_versions"]] == [2, 1]
    latest = procore.get(
        f"/v1.0/folders/{folder_id}", params={**Q, "show_latest_file_version_only": "true"}
    )
    assert [v["number"] for v in latest.json()["files"][0]["file_versions"]] == [2]
    only_folders = procore.get(f"/v1.0/folders/{folder_id}", params={**Q, "exclude_files": "true"})
    assert only_folders.json()["files"] == []


def test_create_rename_move_delete_folder(procore: Procore) -> None:
    created = procore.call(
        "POST", "/v1.0/folders", params=Q, json={"folder": {"name": "RFI Backup"}}
    )
    assert created.status_code == 201
    folder = created.json()
    clash = procore.call("POST", "/v1.0/folders", params=Q, json={"folder": {"name": "rfi backup"}})
    assert clash.status_code == 409
    assert clash.json()["errors"]["base"]
    drawings = procore.lookup("Drawings")
    moved = procore.call(
        "PATCH",
        f"/v1.0/folders/{folder['id']}",
        params=Q,
        json={"folder": {"name": "RFI Archive", "parent_id": drawings}},
    )
    assert moved.status_code == 200
    assert moved.json()["name_with_path"] == "Drawings/RFI Archive"
    into_self = procore.call(
        "PATCH", f"/v1.0/folders/{drawings}", params=Q, json={"folder": {"parent_id": folder["id"]}}
    )
    assert into_self.status_code == 422
    assert procore.call("DELETE", f"/v1.0/folders/{drawings}", params=Q).status_code == 204
    gone = procore.get(f"/v1.0/folders/{drawings}", params=Q).json()
    assert gone["is_deleted"] is True
    root = procore.get("/v1.0/folders", params=Q).json()
    assert "Drawings" not in [f["name"] for f in root["folders"]]
    a101 = procore.control(
        "GET", "/lookup", params={**Q, "path": "Drawings/Architectural/A-101 Floor Plan.pdf"}
    )
    assert a101.status_code == 404


def test_bad_folder_input_is_a_clear_error(procore: Procore) -> None:
    blank = procore.call("POST", "/v1.0/folders", params=Q, json={"folder": {"name": "  "}})
    assert blank.status_code == 422 and "name" in blank.json()["errors"]
    garbage = procore.call(
        "POST",
        "/v1.0/folders",
        params=Q,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert garbage.status_code == 400 and garbage.json() == {"errors": "Malformed JSON body"}
    bad_parent = procore.call(
        "POST", "/v1.0/folders", params=Q, json={"folder": {"name": "x", "parent_id": "abc"}}
    )
    assert bad_parent.status_code == 400
    missing_parent = procore.call(
        "POST", "/v1.0/folders", params=Q, json={"folder": {"name": "x", "parent_id": 1}}
    )
    assert missing_parent.status_code == 404
    root = procore.control("GET", f"/projects/{PROJECT_ID}/tree").json()["root_folder_id"]
    assert procore.call("DELETE", f"/v1.0/folders/{root}", params=Q).status_code == 422


def test_direct_upload_unique_name_and_new_version(procore: Procore) -> None:
    parent = procore.lookup("Specifications")
    form = {"file[parent_id]": str(parent), "file[name]": "Notes.txt"}
    first = procore.call(
        "POST",
        "/v1.0/files",
        params=Q,
        data=form,
        files={"file[data]": ("Notes.txt", b"first body")},
    )
    assert first.status_code == 201, first.text
    file = first.json()
    assert file["size"] == 10 and file["file_versions"][0]["number"] == 1
    clash = procore.call(
        "POST", "/v1.0/files", params=Q, data=form, files={"file[data]": ("Notes.txt", b"x")}
    )
    assert clash.status_code == 409
    assert clash.json()["file"]["id"] == file["id"]
    renamed = procore.call(
        "POST",
        "/v1.0/files",
        params=Q,
        data={**form, "file[unique_name]": "true"},
        files={"file[data]": ("Notes.txt", b"second")},
    )
    assert renamed.status_code == 201 and renamed.json()["name"] == "Notes (1).txt"
    both = procore.call(
        "POST",
        "/v1.0/files",
        params=Q,
        data={**form, "file[upload_uuid]": "abc"},
        files={"file[data]": ("Notes.txt", b"x")},
    )
    assert both.status_code == 400

    patched = procore.call(
        "PATCH",
        f"/v1.0/files/{file['id']}",
        params=Q,
        files={"file[data]": ("Notes.txt", b"version two!")},
    )
    assert patched.status_code == 200
    assert [v["number"] for v in patched.json()["file_versions"]] == [2, 1]
    assert patched.json()["size"] == 12
    assert procore.content(file["id"]) == b"version two!"
    via_versions = procore.call(
        "POST",
        "/v1.0/file_versions",
        params=Q,
        data={"file_id": str(file["id"]), "file_version[notes]": "n"},
        files={"file_version[data]": ("Notes.txt", b"three")},
    )
    assert via_versions.status_code == 201 and via_versions.json()["number"] == 3
    version = procore.get(f"/v1.0/file_versions/{via_versions.json()['id']}", params=Q)
    assert version.json()["size"] == 5


def test_rename_move_delete_file_and_checkout_conflict(procore: Procore) -> None:
    file_id = procore.lookup("Project Directory.xlsx")
    target = procore.lookup("Contracts")
    moved = procore.call(
        "PATCH",
        f"/v1.0/files/{file_id}",
        params=Q,
        json={"file": {"name": "Directory.xlsx", "parent_id": target}},
    )
    assert moved.status_code == 200
    assert moved.json()["name_with_path"] == "Contracts/Directory.xlsx"
    clash = procore.call(
        "PATCH", f"/v1.0/files/{file_id}", params=Q, json={"file": {"name": "prime contract.pdf"}}
    )
    assert clash.status_code == 409

    procore.control("POST", f"/act/files/{file_id}/checkout", json={})
    blocked = procore.call(
        "PATCH", f"/v1.0/files/{file_id}", params=Q, files={"file[data]": ("a", b"new")}
    )
    assert blocked.status_code == 409
    assert blocked.json()["error_type"] == "checked_out"
    assert len(procore.get(f"/v1.0/files/{file_id}", params=Q).json()["file_versions"]) == 1
    procore.control("DELETE", f"/act/files/{file_id}/checkout")

    assert procore.call("DELETE", f"/v1.0/files/{file_id}", params=Q).status_code == 204
    assert procore.get(f"/v1.0/files/{file_id}", params=Q).json()["is_deleted"] is True
    assert procore.call("DELETE", f"/v1.0/files/{file_id}", params=Q).status_code == 404


def test_index_filters_by_updated_at_type_and_recycle_bin(procore: Procore) -> None:
    index = f"/v1.0/projects/{PROJECT_ID}/documents"
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    spec_id = procore.lookup("Specifications/03 30 00 Cast-in-Place Concrete.pdf")
    procore.call("PATCH", f"/v1.0/files/{spec_id}", params=Q, json={"file": {"description": "rev"}})
    procore.call(
        "DELETE", f"/v1.0/files/{procore.lookup('Contracts/Prime Contract.pdf')}", params=Q
    )
    window = f"{iso(before)}...{iso(datetime.now(UTC) + timedelta(seconds=1))}"
    changed = procore.get(index, params={"filters[updated_at]": window}).json()
    assert spec_id in [i["id"] for i in changed]
    assert all(not i["is_deleted"] for i in changed)
    recycled = procore.get(
        index, params={"filters[updated_at]": window, "filters[is_in_recycle_bin]": "true"}
    ).json()
    assert [i["name"] for i in recycled] == ["Prime Contract.pdf"]
    assert recycled[0]["is_deleted"] is True
    folders = procore.get(index, params={"filters[document_type]": "folder"}).json()
    assert {i["document_type"] for i in folders} == {"folder"}
    newest = procore.get(index, params={"sort": "-updated_at"}).json()
    assert newest[0]["id"] in (
        spec_id,
        procore.lookup("Contracts"),
        procore.lookup("Specifications"),
    )
    stamps = [i["updated_at"] for i in newest]
    assert stamps == sorted(stamps, reverse=True)
    inside = procore.get(index, params={"filters[folder_id]": procore.lookup("Drawings")}).json()
    assert {i["name_with_path"].split("/")[0] for i in inside} == {"Drawings"}
    assert len(inside) == 5
    bad = procore.get(index, params={"filters[updated_at]": "yesterday"})
    assert bad.status_code == 400 and "filters[updated_at]" in bad.json()["errors"]
    assert procore.get(index, params={"sort": "size"}).status_code == 400


def test_company_level_documents(procore: Procore) -> None:
    base = f"/v1.0/companies/{COMPANY_ID}"
    root = procore.get(f"{base}/folders").json()
    assert [f["name"] for f in root["folders"]] == ["Templates"]
    created = procore.call("POST", f"{base}/folders", json={"folder": {"name": "Policies"}})
    assert created.status_code == 201
    upload = procore.call(
        "POST",
        f"{base}/files",
        data={"file[parent_id]": str(created.json()["id"]), "file[name]": "HR.pdf"},
        files={"file[data]": ("HR.pdf", b"%PDF-1.4 policies")},
    )
    assert upload.status_code == 201
    index = procore.get(f"{base}/documents").json()
    assert {i["name_with_path"] for i in index} >= {
        "Policies/HR.pdf",
        "Templates/Safety Plan Template.docx",
    }
    # a project folder id is not visible at company level
    project_folder = procore.lookup("Drawings")
    assert procore.get(f"{base}/folders/{project_folder}").status_code == 404
    assert procore.get("/v1.0/companies/999/folders").status_code == 403
