"""host.json is read with the Functions host's defaults and limits (API-NOTES C3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devhost.host_json import HostJsonError, load_host_json, parse_host_json, parse_timespan

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_defaults_when_nothing_is_set() -> None:
    options = parse_host_json({"version": "2.0"})

    assert options.route_prefix == "api"
    assert options.function_timeout_s is None
    q = options.queues
    assert (q.batch_size, q.new_batch_threshold, q.max_dequeue_count) == (16, 8, 5)
    assert q.visibility_timeout_s == 0
    assert q.max_polling_interval_s == 60
    assert q.message_encoding == "base64"
    assert q.max_concurrency == 24


def test_values_are_read_case_insensitively() -> None:
    options = parse_host_json(
        {
            "functionTimeout": "00:10:00",
            "Extensions": {
                "HTTP": {"routePrefix": ""},
                "queues": {
                    "BatchSize": 8,
                    "maxdequeuecount": 3,
                    "visibilityTimeout": "00:00:30",
                    "maxPollingInterval": "00:00:02.500",
                    "messageEncoding": "None",
                },
            },
        }
    )

    assert options.route_prefix == ""
    assert options.function_timeout_s == 600
    q = options.queues
    assert (q.batch_size, q.new_batch_threshold, q.max_dequeue_count) == (8, 4, 3)
    assert q.visibility_timeout_s == 30
    assert q.max_polling_interval_s == 2.5
    assert q.message_encoding == "none"


@pytest.mark.parametrize(
    ("queues", "named"),
    [
        ({"batchSize": 33}, "batchSize"),
        ({"batchSize": 0}, "batchSize"),
        ({"batchSize": "16"}, "batchSize"),
        ({"maxDequeueCount": 0}, "maxDequeueCount"),
        ({"maxPollingInterval": "00:00:00.050"}, "maxPollingInterval"),
        ({"visibilityTimeout": "30s"}, "visibilityTimeout"),
        ({"messageEncoding": "utf8"}, "messageEncoding"),
    ],
)
def test_values_the_host_would_refuse_are_refused(queues: dict[str, object], named: str) -> None:
    with pytest.raises(HostJsonError, match=named):
        parse_host_json({"extensions": {"queues": queues}})


def test_timespan_with_days() -> None:
    assert parse_timespan("1.02:03:04.5", "x") == 86400 + 2 * 3600 + 3 * 60 + 4.5


def test_the_repository_host_json_is_accepted(tmp_path: Path) -> None:
    options = load_host_json(REPO_ROOT / "host.json")
    assert 1 <= options.queues.batch_size <= 32

    broken = tmp_path / "host.json"
    broken.write_text("{not json")
    with pytest.raises(HostJsonError, match="not readable JSON"):
        load_host_json(broken)
    assert load_host_json(tmp_path / "missing.json") == parse_host_json({})
    (tmp_path / "list.json").write_text(json.dumps([1]))
    with pytest.raises(HostJsonError, match="JSON object"):
        load_host_json(tmp_path / "list.json")
