"""driveItems: addressing, paging, folders, simple upload, download, PATCH/DELETE, versions, tags,
naming rules, checkout and Office locks."""

from __future__ import annotations

import io
import zipfile

import httpx

from emulators.graph.quickxor import quick_xor_hash

from .conftest import DRIVE, error_of

D = f"/drives/{DRIVE}"


def put(graph: httpx.Client, path: str, data: bytes, **headers: str) -> httpx.Response:
    return graph.put(f"{D}/root:{path}:/content", content=data, headers=headers)


def test_site_by_path_and_its_drives(graph: httpx.Client) -> None:
    site = graph.get("/sites/contoso.sharepoint.com:/sites/Construction").json()
    drives = graph.get(f"/sites/{site['id']}/drives").json()["value"]
    assert [d["name"] for d in drives] == ["Documents", "Archive"]
    assert graph.get(f"/sites/{site['id']}/drive").json()["id"] == DRIVE


def test_get_by_path_and_relative_path_under_an_id(graph: httpx.Client) -> None:
    folder = graph.post(f"{D}/root/children", json={"name": "Plans", "folder": {}}).json()
    created = put(graph, "/Plans/Level 1.pdf", b"pdf")
    assert created.status_code == 201
    by_path = graph.get(f"{D}/root:/Plans/Level%201.pdf").json()
    by_rel = graph.get(f"{D}/items/{folder['id']}:/Level 1.pdf:").json()
    assert by_path["id"] == by_rel["id"] == created.json()["id"]
    assert by_path["parentReference"]["path"] == f"/drives/{DRIVE}/root:/Plans"
    missing = graph.get(f"{D}/root:/Plans/nope.pdf")
    assert missing.status_code == 404 and error_of(missing)[0] == "itemNotFound"


def test_children_paging_with_top_and_next_link(graph: httpx.Client, control: httpx.Client) -> None:
    control.post(f"/drives/{DRIVE}/seed", json={"tree": {f"f{i:02}.txt": str(i) for i in range(7)}})
    names: list[str] = []
    url: str | None = f"{D}/root/children?$top=3"
    pages = 0
    while url:
        body = graph.get(url).json()
        names += [i["name"] for i in body["value"]]
        url = body.get("@odata.nextLink")
        pages += 1
    assert pages == 3
    assert names == [f"f{i:02}.txt" for i in range(7)]


def test_create_folder_conflict_behaviours(graph: httpx.Client) -> None:
    first = graph.post(f"{D}/root/children", json={"name": "RFIs", "folder": {}})
    assert first.status_code == 201
    clash = graph.post(f"{D}/root/children", json={"name": "rfis", "folder": {}})
    assert clash.status_code == 409 and error_of(clash)[0] == "nameAlreadyExists"
    renamed = graph.post(
        f"{D}/root/children",
        json={"name": "RFIs", "folder": {}, "@microsoft.graph.conflictBehavior": "rename"},
    )
    assert renamed.json()["name"] == "RFIs 1"
    replaced = graph.post(
        f"{D}/root/children",
        json={"name": "RFIs", "folder": {}, "@microsoft.graph.conflictBehavior": "replace"},
    )
    assert replaced.status_code == 201


def test_names_are_unique_case_insensitively_but_case_preserved(graph: httpx.Client) -> None:
    assert put(graph, "/Plan.pdf", b"a").json()["name"] == "Plan.pdf"
    fail = graph.put(
        f"{D}/root:/PLAN.pdf:/content?@microsoft.graph.conflictBehavior=fail", content=b"b"
    )
    assert fail.status_code == 409 and error_of(fail)[0] == "nameAlreadyExists"
    replaced = put(graph, "/PLAN.pdf", b"b")
    assert replaced.status_code == 200 and replaced.json()["name"] == "Plan.pdf"


def test_sharepoint_name_rules(graph: httpx.Client) -> None:
    for name in [
        "a*b.txt",
        "a<b",
        " lead.txt",
        "trail.txt ",
        "dot.",
        "CON",
        "desktop.ini",
        "~$lock.docx",
        "x_vti_y",
        "forms",
    ]:
        response = graph.post(f"{D}/root/children", json={"name": name, "folder": {}})
        assert response.status_code == 400, name
        assert error_of(response) == ("invalidRequest", "nameContainsInvalidCharacters"), name
    # "sites/Construction/Shared Documents" (35) + 5 × "/ddd…" (61) = 340 characters.
    current = graph.get(f"{D}/root").json()["id"]
    for _ in range(5):
        created = graph.post(f"{D}/items/{current}/children", json={"name": "d" * 60, "folder": {}})
        current = created.json()["id"]
    fits = graph.put(f"{D}/items/{current}:/{'x' * 55}.txt:/content", content=b"x")
    assert fits.status_code == 201
    response = graph.put(f"{D}/items/{current}:/{'x' * 56}.txt:/content", content=b"x")
    assert response.status_code == 400
    assert error_of(response) == ("invalidRequest", "pathIsTooLong")


def test_simple_upload_limit_is_configurable(graph: httpx.Client, control: httpx.Client) -> None:
    control.post("/settings", json={"simple_upload_max_bytes": 1000})
    assert put(graph, "/small.bin", b"x" * 1000).status_code == 201
    big = put(graph, "/big.bin", b"x" * 1001)
    assert big.status_code == 413
    assert error_of(big)[1] == "maxFileSizeExceeded"


def test_download_redirects_to_a_preauthenticated_url(
    graph: httpx.Client, anonymous: httpx.Client
) -> None:
    data = bytes(range(256)) * 10
    item = put(graph, "/data.bin", data).json()
    assert item["file"]["hashes"] == {"quickXorHash": quick_xor_hash(data)}
    response = graph.get(f"{D}/items/{item['id']}/content")
    assert response.status_code == 302
    location = response.headers["location"]
    assert anonymous.get(location).content == data
    ranged = anonymous.get(location, headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.content == data[10:20]
    assert anonymous.get(item["@microsoft.graph.downloadUrl"]).content == data
    assert anonymous.get(location.rsplit("/", 1)[0] + "/unknown").status_code == 401


def test_download_url_expires(
    graph: httpx.Client, control: httpx.Client, anonymous: httpx.Client
) -> None:
    control.post("/settings", json={"download_url_ttl_s": 0.001})
    item = put(graph, "/data.bin", b"abc").json()
    location = graph.get(f"{D}/items/{item['id']}/content").headers["location"]
    assert anonymous.get(location).status_code == 401


def test_etag_changes_on_any_change_ctag_only_on_content(graph: httpx.Client) -> None:
    folder = graph.post(f"{D}/root/children", json={"name": "A", "folder": {}}).json()
    assert "cTag" not in folder
    item = put(graph, "/A/f.txt", b"one").json()
    renamed = graph.patch(f"{D}/items/{item['id']}", json={"name": "g.txt"}).json()
    assert renamed["eTag"] != item["eTag"] and renamed["cTag"] == item["cTag"]
    edited = graph.put(f"{D}/items/{item['id']}/content", content=b"two").json()
    assert edited["eTag"] != renamed["eTag"] and edited["cTag"] != renamed["cTag"]


def test_patch_with_if_match_rename_and_move(graph: httpx.Client) -> None:
    target = graph.post(f"{D}/root/children", json={"name": "B", "folder": {}}).json()
    item = put(graph, "/f.txt", b"x").json()
    stale = graph.patch(
        f"{D}/items/{item['id']}", json={"name": "h.txt"}, headers={"If-Match": '"{0},1"'}
    )
    assert stale.status_code == 412
    assert error_of(stale) == ("resourceModified", "entityTagDoesNotMatch")
    moved = graph.patch(
        f"{D}/items/{item['id']}",
        json={"name": "h.txt", "parentReference": {"id": target["id"]}},
        headers={"If-Match": item["eTag"]},
    )
    assert moved.status_code == 200
    assert graph.get(f"{D}/root:/B/h.txt").json()["id"] == item["id"]


def test_delete_goes_to_recycle_bin_and_if_match_guards_it(
    graph: httpx.Client, control: httpx.Client
) -> None:
    item = put(graph, "/gone.txt", b"x").json()
    refused = graph.delete(f"{D}/items/{item['id']}", headers={"If-Match": '"{0},9"'})
    assert refused.status_code == 412
    assert graph.get(f"{D}/items/{item['id']}").status_code == 200
    assert graph.delete(f"{D}/items/{item['id']}").status_code == 204
    assert graph.get(f"{D}/items/{item['id']}").status_code == 404
    bin_ = control.get(f"/drives/{DRIVE}/recycle-bin").json()
    assert [(r["id"], r["path"]) for r in bin_] == [(item["id"], "/gone.txt")]


def test_recycled_files_keep_their_versions_readable(
    graph: httpx.Client, control: httpx.Client
) -> None:
    folder = graph.post(f"{D}/root/children", json={"name": "Bin", "folder": {}}).json()
    put(graph, "/Bin/inner.txt", b"inner v1")
    put(graph, "/Bin/inner.txt", b"inner v2")
    lone = put(graph, "/lone.txt", b"lone").json()
    assert graph.delete(f"{D}/items/{lone['id']}").status_code == 204
    assert graph.delete(f"{D}/items/{folder['id']}").status_code == 204
    files = control.get(f"/drives/{DRIVE}/recycle-bin/files").json()
    by_path = {f["path"]: f for f in files}
    assert set(by_path) == {"/lone.txt", "/Bin/inner.txt"}
    inner = by_path["/Bin/inner.txt"]
    assert [v["id"] for v in inner["versions"]] == ["2.0", "1.0"]
    route = f"/drives/{DRIVE}/recycle-bin/files/{inner['id']}/versions"
    assert control.get(f"{route}/1.0/content").content == b"inner v1"
    assert control.get(f"{route}/2.0/content").content == b"inner v2"
    assert control.get(f"{route}/9.0/content").status_code == 404
    missing = control.get(f"/drives/{DRIVE}/recycle-bin/files/nope/versions/1.0/content")
    assert missing.status_code == 404


def test_overwrite_keeps_old_content_as_version(
    graph: httpx.Client, control: httpx.Client, anonymous: httpx.Client
) -> None:
    item = put(graph, "/v.txt", b"first").json()
    put(graph, "/v.txt", b"second")
    versions = graph.get(f"{D}/items/{item['id']}/versions").json()["value"]
    assert [v["id"] for v in versions] == ["2.0", "1.0"]
    old = graph.get(f"{D}/items/{item['id']}/versions/1.0/content")
    assert old.status_code == 302 and anonymous.get(old.headers["location"]).content == b"first"
    assert (
        control.get(f"/drives/{DRIVE}/versions/1.0/content", params={"path": "/v.txt"}).content
        == b"first"
    )


def test_file_system_info_is_settable(graph: httpx.Client) -> None:
    item = put(graph, "/t.txt", b"x").json()
    stamp = {
        "createdDateTime": "2020-01-02T03:04:05Z",
        "lastModifiedDateTime": "2021-02-03T04:05:06Z",
    }
    patched = graph.patch(f"{D}/items/{item['id']}", json={"fileSystemInfo": stamp}).json()
    assert patched["fileSystemInfo"] == {
        "createdDateTime": "2020-01-02T03:04:05.000Z",
        "lastModifiedDateTime": "2021-02-03T04:05:06.000Z",
    }


def test_checkout_checkin_publication_facet(graph: httpx.Client, control: httpx.Client) -> None:
    item = put(graph, "/c.docx", b"not a zip").json()
    assert graph.post(f"{D}/items/{item['id']}/checkout").status_code == 204
    facet = graph.get(f"{D}/items/{item['id']}?$select=id,publication").json()["publication"]
    assert facet["level"] == "checkout"
    assert (
        graph.post(f"{D}/items/{item['id']}/checkin", json={"comment": "done"}).status_code == 204
    )
    assert (
        graph.get(f"{D}/items/{item['id']}?$select=publication").json()["publication"]["level"]
        == "published"
    )
    control.post(
        f"/drives/{DRIVE}/actions", json={"action": "checkout", "id": item["id"], "user": "Bob"}
    )
    blocked = graph.put(f"{D}/items/{item['id']}/content", content=b"y")
    assert blocked.status_code == 423 and error_of(blocked)[0] == "resourceLocked"


def test_office_lock_blocks_writes_not_reads(graph: httpx.Client, control: httpx.Client) -> None:
    item = put(graph, "/open.xlsx", b"cells").json()
    control.post(f"/drives/{DRIVE}/actions", json={"action": "lock", "path": "/open.xlsx"})
    assert graph.get(f"{D}/items/{item['id']}").status_code == 200
    for response in (
        graph.put(f"{D}/items/{item['id']}/content", content=b"new"),
        graph.patch(f"{D}/items/{item['id']}", json={"name": "x.xlsx"}),
        graph.delete(f"{D}/items/{item['id']}"),
    ):
        assert response.status_code == 423 and error_of(response)[0] == "resourceLocked"
    control.post(f"/drives/{DRIVE}/actions", json={"action": "unlock", "path": "/open.xlsx"})
    assert graph.put(f"{D}/items/{item['id']}/content", content=b"new").status_code == 200


def test_office_files_are_rewritten_after_upload(
    graph: httpx.Client, control: httpx.Client
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    sent = buffer.getvalue()
    item = put(graph, "/report.docx", sent).json()
    assert item["size"] != len(sent)
    assert item["file"]["hashes"]["quickXorHash"] != quick_xor_hash(sent)
    stored = control.get(f"/drives/{DRIVE}/content", params={"path": "/report.docx"}).content
    assert zipfile.ZipFile(io.BytesIO(stored)).read("word/document.xml") == b"<w/>"
    control.post("/settings", json={"office_rewrite": False})
    plain = put(graph, "/plain.docx", sent).json()
    assert plain["size"] == len(sent)


def test_bad_input_gets_the_error_envelope(graph: httpx.Client) -> None:
    bad_json = graph.post(
        f"{D}/root/children", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400 and error_of(bad_json)[0] == "BadRequest"
    unknown = graph.get("/nothing/here")
    assert unknown.status_code == 400 and error_of(unknown)
    bad_top = graph.get(f"{D}/root/children?$top=abc")
    assert bad_top.status_code == 400 and error_of(bad_top)
