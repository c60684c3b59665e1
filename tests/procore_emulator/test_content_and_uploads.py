"""Downloads redirecting to storage that refuses the bearer token; upload flows (A5, A6)."""

from __future__ import annotations

import hashlib

import httpx

from tests.procore_emulator.conftest import COMPANY_ID, PROJECT_ID, Procore

Q = {"project_id": PROJECT_ID}
MIB = 1024 * 1024


def download_url(procore: Procore, path: str) -> str:
    file = procore.get(f"/v1.0/files/{procore.lookup(path)}", params=Q).json()
    return str(file["file_versions"][0]["url"])


def test_download_redirects_to_storage_and_bytes_match(procore: Procore) -> None:
    url = download_url(procore, "Drawings/Architectural/A-101 Floor Plan.pdf")
    unauthenticated = procore.http.get(url)
    assert unauthenticated.status_code == 401
    redirect = procore.http.get(url, headers={"Authorization": f"Bearer {procore.token}"})
    assert redirect.status_code == 302
    storage = redirect.headers["Location"]
    body = procore.http.get(storage)
    assert body.status_code == 200
    assert len(body.content) == 48213
    assert body.content == procore.content(
        procore.lookup("Drawings/Architectural/A-101 Floor Plan.pdf")
    )
    assert body.content == procore.http.get(storage).content  # derived content is stable


def test_storage_refuses_a_forwarded_bearer_token(procore: Procore) -> None:
    url = download_url(procore, "Project Directory.xlsx")
    storage = procore.http.get(url, headers=procore.headers()).headers["Location"]
    leaked = procore.http.get(storage, headers={"Authorization": f"Bearer {procore.token}"})
    assert leaked.status_code == 400
    assert "<Code>InvalidArgument</Code>" in leaked.text
    assert leaked.headers["Content-Type"].startswith("application/xml")
    # a client that blindly follows the (same-origin here) redirect keeps the header: caught
    with httpx.Client(follow_redirects=True) as naive:
        caught = naive.get(url, headers={"Authorization": f"Bearer {procore.token}"})
    assert caught.status_code == 400
    tampered = procore.http.get(storage.replace("Signature=", "Signature=0"))
    assert tampered.status_code == 403 and "SignatureDoesNotMatch" in tampered.text


def test_range_requests(procore: Procore) -> None:
    file_id = procore.lookup("Project Directory.xlsx")
    storage = procore.http.get(
        download_url(procore, "Project Directory.xlsx"), headers=procore.headers()
    ).headers["Location"]
    whole = procore.content(file_id)
    part = procore.http.get(storage, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 100-199/8192"
    assert part.content == whole[100:200]
    assert procore.http.get(storage, headers={"Range": "bytes=9000-"}).status_code == 416


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_unified_v21_upload_then_attach_as_file(procore: Procore) -> None:
    part1 = bytes(range(256)) * (5 * MIB // 256) + b"x"  # 5 MiB + 1 byte: the smallest allowed part
    part2 = b"tail bytes"
    data = part1 + part2
    base = f"/v2.1/companies/{COMPANY_ID}/projects/{PROJECT_ID}/uploads"
    created = procore.call(
        "POST",
        base,
        json={
            "file_name": "Big.bin",
            "file_size": len(data),
            "content_type": "application/octet-stream",
            "sha256": sha(data),
            "segments": [
                {"size": len(part1), "sha256": sha(part1)},
                {"size": len(part2), "sha256": sha(part2)},
            ],
        },
    )
    assert created.status_code == 201, created.text
    upload = created.json()["data"]
    assert upload["status"] == "ready"
    etags = []
    for segment, chunk in zip(upload["segments"], (part1, part2), strict=True):
        with_token = procore.http.put(
            segment["url"],
            content=chunk,
            headers={**segment["headers"], "Authorization": "Bearer x"},
        )
        assert with_token.status_code == 400
        put = procore.http.put(segment["url"], content=chunk, headers=segment["headers"])
        assert put.status_code == 200
        etags.append(put.headers["ETag"])
    partial = procore.call(
        "PATCH", f"{base}/{upload['upload_id']}", json={"part_etags": [etags[0], None]}
    )
    assert partial.json()["data"]["status"] == "receiving"
    wrong = procore.call(
        "PATCH", f"{base}/{upload['upload_id']}", json={"part_etags": [etags[0], '"nope"']}
    )
    assert wrong.status_code == 422
    done = procore.call("PATCH", f"{base}/{upload['upload_id']}", json={"part_etags": etags})
    assert done.json()["data"]["status"] == "complete"
    assert procore.get(f"{base}/{upload['upload_id']}").json()["data"]["status"] == "complete"
    assert procore.get(f"{base}/{upload['upload_id']}").json()["data"]["status"] == "available"

    attach = procore.call(
        "POST",
        "/v1.0/files",
        params=Q,
        data={"file[name]": "Big.bin", "file[upload_uuid]": upload["upload_id"]},
    )
    assert attach.status_code == 201, attach.text
    assert attach.json()["size"] == len(data)
    assert procore.content(attach.json()["id"]) == data
    again = procore.call(
        "POST",
        "/v1.0/files",
        params=Q,
        data={"file[name]": "Big2.bin", "file[upload_uuid]": upload["upload_id"]},
    )
    assert again.status_code == 422


def test_v21_part_rules(procore: Procore) -> None:
    base = f"/v2.1/companies/{COMPANY_ID}/projects/{PROJECT_ID}/uploads"
    h = "0" * 64

    def create(sizes: list[int], total: int | None = None) -> int:
        return procore.call(
            "POST",
            base,
            json={
                "file_name": "a.bin",
                "file_size": total if total is not None else sum(sizes),
                "segments": [{"size": s, "sha256": h} for s in sizes],
            },
        ).status_code

    assert create([5 * MIB, 10]) == 422  # exactly 5 MiB is rejected
    assert create([5 * MIB + 1, 10]) == 201
    assert create([101 * MIB]) == 422
    assert create([10], total=11) == 422
    no_sha = procore.call(
        "POST", base, json={"file_name": "a", "file_size": 3, "segments": [{"size": 3}]}
    )
    assert no_sha.status_code == 422


def test_part_checksum_header_and_bytes_are_checked(procore: Procore) -> None:
    base = f"/v2.1/companies/{COMPANY_ID}/projects/{PROJECT_ID}/uploads"
    data = b"hello world"
    upload = procore.call(
        "POST",
        base,
        json={
            "file_name": "a.txt",
            "file_size": len(data),
            "segments": [{"size": len(data), "sha256": sha(data)}],
        },
    ).json()["data"]
    segment = upload["segments"][0]
    missing = procore.http.put(
        segment["url"], content=data, headers={"Content-Type": "application/octet-stream"}
    )
    assert missing.status_code == 403
    wrong = procore.http.put(segment["url"], content=b"hello worle", headers=segment["headers"])
    assert wrong.status_code == 400 and "BadDigest" in wrong.text


def test_upload_part_fault_then_retry(procore: Procore) -> None:
    base = f"/v2.1/companies/{COMPANY_ID}/projects/{PROJECT_ID}/uploads"
    data = b"retry me"
    upload = procore.call(
        "POST",
        base,
        json={
            "file_name": "r.txt",
            "file_size": len(data),
            "segments": [{"size": len(data), "sha256": sha(data)}],
        },
    ).json()["data"]
    procore.control("POST", "/faults", json={"kind": "upload_part", "count": 1})
    segment = upload["segments"][0]
    failed = procore.http.put(segment["url"], content=data, headers=segment["headers"])
    assert failed.status_code == 500 and "InternalError" in failed.text
    ok = procore.http.put(segment["url"], content=data, headers=segment["headers"])
    assert ok.status_code == 200


def test_v11_direct_post_upload_and_segmented(procore: Procore) -> None:
    base = f"/v1.1/projects/{PROJECT_ID}/uploads"
    created = procore.call(
        "POST", base, json={"response_filename": "memo.txt", "response_content_type": "text/plain"}
    )
    assert created.status_code == 201
    upload = created.json()
    posted = procore.http.post(
        upload["url"], data=upload["fields"], files={"file": ("memo.txt", b"memo body")}
    )
    assert posted.status_code == 204
    forged = procore.http.post(
        upload["url"],
        data={**upload["fields"], "x-amz-signature": "bad"},
        files={"file": ("m", b"x")},
    )
    assert forged.status_code == 403
    attach = procore.call(
        "POST",
        "/v1.0/files",
        params=Q,
        data={"file[name]": "memo.txt", "file[upload_uuid]": upload["uuid"]},
    )
    assert attach.status_code == 201
    assert procore.content(attach.json()["id"]) == b"memo body"

    seg1, seg2 = b"a" * (5 * MIB), b"end"
    seg = procore.call(
        "POST",
        base,
        json={
            "segments": [{"size": len(seg1), "sha256": sha(seg1)}, {"size": 3, "sha256": sha(seg2)}]
        },
    ).json()
    etags = []
    for segment, chunk in zip(seg["segments"], (seg1, seg2), strict=True):
        put = procore.http.put(segment["url"], content=chunk, headers=segment["headers"])
        assert put.status_code == 200
        etags.append({"etag": put.headers["ETag"]})
    done = procore.call("PATCH", f"{base}/{seg['uuid']}", json={"segments": etags})
    assert done.json()["status"] == "complete"
    version = procore.call(
        "POST",
        "/v1.0/file_versions",
        params=Q,
        data={"file_id": str(attach.json()["id"]), "file_version[upload_uuid]": seg["uuid"]},
    )
    assert version.status_code == 201 and version.json()["number"] == 2
    assert procore.content(attach.json()["id"]) == seg1 + seg2
    small = procore.call(
        "POST",
        base,
        json={"segments": [{"size": 10, "sha256": sha(b"")}, {"size": 3, "sha256": sha(b"")}]},
    )
    assert small.status_code == 422
