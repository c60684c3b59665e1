"""Control API: counters, faults, seeding from a spec, large seeds, bad input."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.procore_emulator.conftest import PROJECT_ID, Procore

Q = {"project_id": PROJECT_ID}


def test_counters_per_endpoint_and_status(procore: Procore) -> None:
    procore.control("DELETE", "/counters")
    folder_id = procore.lookup("Drawings")
    procore.get(f"/v1.0/folders/{folder_id}", params=Q)
    procore.get(f"/v1.0/folders/{folder_id}", params=Q)
    procore.get("/v1.0/folders/12", params=Q)
    counters = procore.control("GET", "/counters").json()
    assert counters["total"] == 3
    assert counters["by_endpoint"] == {"GET /rest/v1.0/folders/{folder_id:int}": 3}
    assert counters["by_status"] == {"200": 2, "404": 1}


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("503", 503), ("429", 429)])
def test_status_faults_hit_count_times(procore: Procore, kind: str, status: int) -> None:
    procore.control(
        "POST", "/faults", json={"kind": kind, "count": 2, "path_prefix": "/rest/v1.0/folders"}
    )
    results = [procore.get("/v1.0/folders", params=Q) for _ in range(3)]
    assert [r.status_code for r in results] == [status, status, 200]
    if kind == "503":
        assert results[0].headers["Retry-After"] == "5"
        assert results[0].json() == {"errors": "Service Unavailable"}
    if kind == "429":
        assert results[0].headers["X-Rate-Limit-Remaining"] == "0"
        assert "surpassed" in results[0].text
    assert procore.control("GET", "/faults").json()["faults"] == []


def test_dropped_connection_and_slow_response(procore: Procore) -> None:
    procore.control("POST", "/faults", json={"kind": "drop", "count": 1, "method": "GET"})
    with pytest.raises(httpx.RemoteProtocolError):
        procore.get("/v1.0/folders", params=Q)
    procore.control("POST", "/faults", json={"kind": "slow", "count": 1, "delay_s": 0.3})
    slow = procore.get("/v1.0/folders", params=Q)
    assert slow.status_code == 200 and slow.elapsed.total_seconds() >= 0.3
    fault = procore.control("POST", "/faults", json={"kind": "500"}).json()
    assert procore.get("/v1.0/me").status_code == 500
    assert procore.control("DELETE", f"/faults/{fault['id']}").status_code == 204
    assert procore.get("/v1.0/me").status_code == 200


def test_seed_from_spec(procore: Procore) -> None:
    procore.control("POST", "/reset", json={"seed": "none"})
    spec = {
        "clients": [{"client_id": "local-procore-client", "client_secret": "local-procore-secret"}],
        "company": {"id": 77, "name": "Small Co"},
        "projects": [
            {
                "id": 88,
                "name": "Shed",
                "documents": {
                    "Plans": {
                        "a.pdf": 1000,
                        "note.txt": "hello",
                        "v.bin": {"_file": True, "size": 7, "versions": 3},
                    },
                    "Empty": {},
                },
                "photos": {"Album": {"p.jpg": 500}},
                "tools": {"rfis": 1},
            }
        ],
    }
    seeded = procore.control("POST", "/seed", json=spec)
    assert seeded.status_code == 201, seeded.text
    paths = seeded.json()["projects"]["88"]["paths"]
    assert set(paths) == {"Plans", "Plans/a.pdf", "Plans/note.txt", "Plans/v.bin", "Empty"}
    assert procore.content(paths["Plans/note.txt"]) == b"hello"
    assert len(procore.content(paths["Plans/a.pdf"])) == 1000
    info = procore.control("GET", f"/files/{paths['Plans/v.bin']}").json()
    assert [v["number"] for v in info["versions"]] == [1, 2, 3]
    procore.token = procore.new_token()
    listing = procore.get(
        "/v1.0/folders", params={"project_id": 88}, headers={"Procore-Company-Id": "77"}
    )
    assert [f["name"] for f in listing.json()["folders"]] == ["Empty", "Plans"]
    again = procore.control("POST", "/seed", json={"projects": [{"id": 88, "name": "dup"}]})
    assert again.status_code == 422


def test_large_seed_honours_sizes_without_storing_bodies(procore: Procore) -> None:
    made = procore.control(
        "POST",
        "/seed/large",
        json={
            "project_id": PROJECT_ID,
            "folders": 40,
            "files": 400,
            "file_size": {"min": 0, "max": 70000},
            "seed": 3,
        },
    )
    assert made.status_code == 201
    assert made.json()["files"] == 400
    tree = procore.control("GET", f"/projects/{PROJECT_ID}/tree").json()["items"]
    generated = [
        i for i in tree if i["type"] == "file" and i["path"].split("/")[-1].startswith("file-")
    ]
    assert len(generated) == 400
    assert sum(i["size"] for i in generated) == made.json()["total_bytes"]
    for item in generated[:5]:
        body = procore.content(item["id"])
        assert len(body) == item["size"]
        info = procore.control("GET", f"/files/{item['id']}").json()
        assert info["sha256"] == hashlib.sha256(body).hexdigest()
        assert procore.content(item["id"]) == body


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/seed", {"projects": [{"id": "x"}]}),
        ("/seed/large", {"project_id": PROJECT_ID, "folders": -1, "files": 1}),
        ("/faults", {"kind": "explode"}),
        ("/act/folders", {"name": "no scope"}),
        ("/reset", {"seed": "everything"}),
    ],
)
def test_bad_control_input_is_a_clear_400(
    procore: Procore, path: str, body: dict[str, object]
) -> None:
    response = procore.control("POST", path, json=body)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_unknown_paths_and_methods_answer_procore_style(procore: Procore) -> None:
    missing = procore.get("/v1.0/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}
    wrong_method = procore.call("PUT", "/v1.0/me")
    assert wrong_method.status_code == 405 and "errors" in wrong_method.json()


@pytest.mark.parametrize(
    "node",
    [{"_file": True, "versions": "x"}, {"_file": True, "size": "big"}, -5, True, [1, 2]],
)
def test_bad_seed_file_nodes_are_422(procore: Procore, node: object) -> None:
    spec = {"projects": [{"id": 99, "name": "Bad", "documents": {"f.bin": node}}]}
    response = procore.control("POST", "/seed", json=spec)
    assert response.status_code == 422
    assert "f.bin" in response.json()["error"]
