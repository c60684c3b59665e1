"""Paging (API-NOTES A3) and rate limits (A4) as Procore documents them."""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime

from tests.procore_emulator.conftest import PROJECT_ID, Procore

INDEX = f"/v1.0/projects/{PROJECT_ID}/documents"


def rels(link: str) -> dict[str, int]:
    found = re.findall(r"<([^>]*)>; rel=\"(\w+)\"", link)
    return {rel: int(re.search(r"[?&]page=(\d+)", url).group(1)) for url, rel in found}  # type: ignore[union-attr]


def test_link_rels_follow_the_documented_rules(procore: Procore) -> None:
    total = len(procore.get(INDEX, params={"per_page": 1000}).json())
    assert total == 12
    pages = {}
    for page in (1, 2, 3, 4):
        response = procore.get(INDEX, params={"per_page": 3, "page": page, "sort": "name"})
        assert response.headers["Total"] == "12"
        assert response.headers["Per-Page"] == "3"
        assert len(response.json()) == 3
        pages[page] = rels(response.headers["Link"])
    assert pages[1] == {"next": 2, "last": 4}
    assert pages[2] == {"first": 1, "next": 3, "last": 4}
    assert pages[3] == {"first": 1, "prev": 2, "next": 4, "last": 4}
    assert pages[4] == {"first": 1, "prev": 3, "last": 4}


def test_link_urls_keep_other_params_and_walk_every_item_once(procore: Procore) -> None:
    seen: list[int] = []
    response = procore.get(INDEX, params={"per_page": 5, "filters[document_type]": "file"})
    while True:
        seen.extend(item["id"] for item in response.json())
        links = dict(
            (rel, url)
            for url, rel in re.findall(r"<([^>]*)>; rel=\"(\w+)\"", response.headers["Link"])
        )
        if "next" not in links:
            break
        assert "filters%5Bdocument_type%5D=file" in links["next"]
        response = procore.http.get(links["next"], headers=procore.headers())
    assert len(seen) == len(set(seen)) == 6


def test_single_page_has_only_last(procore: Procore) -> None:
    response = procore.get(INDEX)
    assert rels(response.headers["Link"]) == {"last": 1}


def test_default_and_maximum_per_page_are_options(procore: Procore) -> None:
    procore.control("PATCH", "/config", json={"default_per_page": 4, "max_per_page": 5})
    default = procore.get(INDEX)
    assert default.headers["Per-Page"] == "4"
    assert len(default.json()) == 4
    clamped = procore.get(INDEX, params={"per_page": 500})
    assert clamped.headers["Per-Page"] == "5"
    assert len(clamped.json()) == 5


def test_bad_paging_params_are_400(procore: Procore) -> None:
    for params in ({"per_page": "0"}, {"page": "x"}, {"page": "-1"}):
        response = procore.get(INDEX, params=params)
        assert response.status_code == 400
        assert "errors" in response.json()


def test_every_response_carries_rate_headers_and_date(procore: Procore) -> None:
    responses = [
        procore.get(INDEX),
        procore.get("/v1.0/folders/1?project_id=1"),
        procore.http.get(f"{procore.base}/rest/v1.0/me"),
        procore.http.post(f"{procore.base}/oauth/token", data={}),
        procore.http.get(f"{procore.base}/_storage/blobs/1"),
    ]
    for response in responses:
        for name in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
            assert name in response.headers
        date = parsedate_to_datetime(response.headers["Date"]).timestamp()
        assert abs(date - time.time()) < 5


def test_spike_window_binds_and_every_request_counts(procore: Procore) -> None:
    procore.control(
        "PATCH", "/config", json={"spike_limit": 5, "spike_window_s": 30, "hourly_limit": 1000}
    )
    statuses = []
    remaining = []
    for n in range(7):
        # failures count too: alternate good calls and 404s
        path = INDEX if n % 2 == 0 else "/v1.0/folders/1?project_id=1"
        response = procore.get(path)
        statuses.append(response.status_code)
        remaining.append(int(response.headers["X-Rate-Limit-Remaining"]))
        assert response.headers["X-Rate-Limit-Limit"] == "5"
    assert statuses[:5] == [200, 404, 200, 404, 200]
    assert statuses[5:] == [429, 429]
    assert remaining == [4, 3, 2, 1, 0, 0, 0]
    throttled = procore.get(INDEX)
    assert throttled.text == (
        "You have surpassed the max number of requests for an hour. "
        "Please wait until your limit resets."
    )
    reset = int(throttled.headers["X-Rate-Limit-Reset"])
    date = parsedate_to_datetime(throttled.headers["Date"]).timestamp()
    assert 0 < reset - date <= 32
    assert 0 < int(throttled.headers["Retry-After"]) <= 31


def test_headers_describe_the_window_nearest_exhaustion(procore: Procore) -> None:
    procore.control("PATCH", "/config", json={"spike_limit": 10, "hourly_limit": 12})
    spike = procore.get(INDEX)
    assert spike.headers["X-Rate-Limit-Limit"] == "10"
    assert int(spike.headers["X-Rate-Limit-Reset"]) - time.time() <= 11
    procore.control("PATCH", "/config", json={"spike_limit": 10, "hourly_limit": 3})
    hourly = [procore.get(INDEX) for _ in range(4)]
    assert [r.headers["X-Rate-Limit-Limit"] for r in hourly] == ["3"] * 4
    assert [r.headers["X-Rate-Limit-Remaining"] for r in hourly] == ["2", "1", "0", "0"]
    assert hourly[-1].status_code == 429
    assert int(hourly[0].headers["X-Rate-Limit-Reset"]) - time.time() > 3000


def test_rate_limit_reset_endpoint(procore: Procore) -> None:
    procore.control("PATCH", "/config", json={"spike_limit": 2})
    for _ in range(3):
        procore.get(INDEX)
    assert procore.get(INDEX).status_code == 429
    procore.control("POST", "/rate_limit/reset")
    assert procore.get(INDEX).status_code == 200
