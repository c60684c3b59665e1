"""The parts of `host.json` the real Functions host applies to our triggers, read the same way.

Defaults and limits follow API-NOTES C3 (`extensions.queues`) and the HTTP extension
(`extensions.http.routePrefix`, default `api`). Keys are matched case-insensitively, as .NET
configuration does. A value the real host would reject at start is rejected here too, with the
setting named.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

MAX_BATCH_SIZE = 32
MIN_POLLING_INTERVAL_S = 0.1

_TIMESPAN = re.compile(r"^(?:(?P<d>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:\.\d+)?)$")


class HostJsonError(ValueError):
    """host.json is unreadable or holds a value the Functions host would refuse."""


class QueueOptions(BaseModel):
    """`extensions.queues`, with the host's defaults."""

    model_config = ConfigDict(frozen=True)

    batch_size: int = 16
    new_batch_threshold: int = 8
    max_dequeue_count: int = 5
    visibility_timeout_s: float = 0.0
    max_polling_interval_s: float = 60.0
    message_encoding: str = "base64"

    @property
    def max_concurrency(self) -> int:
        """Invocations one queue function may run at once (batchSize + newBatchThreshold)."""
        return self.batch_size + self.new_batch_threshold


class HostOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    queues: QueueOptions = QueueOptions()
    route_prefix: str = "api"
    function_timeout_s: float | None = None
    """None when host.json sets none or `-1` (unbounded)."""


def parse_timespan(value: Any, name: str) -> float:
    """A .NET TimeSpan string (`[d.]hh:mm:ss[.fff]`) in seconds."""
    match = _TIMESPAN.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise HostJsonError(f"{name} must be a TimeSpan like '00:00:30', got {value!r}")
    days = int(match["d"] or 0)
    return days * 86400 + int(match["h"]) * 3600 + int(match["m"]) * 60 + float(match["s"])


def _lower_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in obj.items()}
    return obj


def _int(section: dict[str, Any], key: str, default: int, low: int, high: int | None) -> int:
    value = section.get(key.lower(), default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HostJsonError(f"extensions.queues.{key} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        limit = f"{low}..{high}" if high is not None else f">= {low}"
        raise HostJsonError(f"extensions.queues.{key} must be {limit}, got {value}")
    return value


def queue_options(section: dict[str, Any]) -> QueueOptions:
    """`extensions.queues` (keys lower-cased) with defaults and the host's limits."""
    batch = _int(section, "batchSize", 16, 1, MAX_BATCH_SIZE)
    # API-NOTES C3: newer docs say N*batchSize/2 with N vCPUs on dedicated plans, 1 on
    # Consumption [U]; batchSize/2 is what a single-instance Consumption host uses.
    threshold = _int(section, "newBatchThreshold", batch // 2, 0, None)
    max_dequeue = _int(section, "maxDequeueCount", 5, 1, None)
    visibility = parse_timespan(section.get("visibilitytimeout", "00:00:00"), "visibilityTimeout")
    polling = parse_timespan(section.get("maxpollinginterval", "00:01:00"), "maxPollingInterval")
    if polling < MIN_POLLING_INTERVAL_S:
        raise HostJsonError(
            f"extensions.queues.maxPollingInterval must be >= 100 ms, got {polling}s"
        )
    encoding = str(section.get("messageencoding", "base64")).lower()
    if encoding not in ("base64", "none"):
        raise HostJsonError(
            f"extensions.queues.messageEncoding must be 'base64' or 'none', got {encoding!r}"
        )
    return QueueOptions(
        batch_size=batch,
        new_batch_threshold=threshold,
        max_dequeue_count=max_dequeue,
        visibility_timeout_s=visibility,
        max_polling_interval_s=polling,
        message_encoding=encoding,
    )


def parse_host_json(doc: dict[str, Any]) -> HostOptions:
    doc = _lower_keys(doc)
    extensions = doc.get("extensions") or {}
    queues = queue_options(extensions.get("queues") or {})
    http = extensions.get("http") or {}
    prefix = http.get("routeprefix", "api")
    if not isinstance(prefix, str):
        raise HostJsonError(f"extensions.http.routePrefix must be a string, got {prefix!r}")
    timeout_raw = doc.get("functiontimeout")
    timeout = None
    if timeout_raw not in (None, "-1", -1):
        timeout = parse_timespan(timeout_raw, "functionTimeout")
    return HostOptions(queues=queues, route_prefix=prefix.strip("/"), function_timeout_s=timeout)


def load_host_json(path: Path) -> HostOptions:
    """Read `path`; a missing file means all defaults, as for the real host."""
    if not path.exists():
        return HostOptions()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HostJsonError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise HostJsonError(f"{path}: the top level must be a JSON object")
    try:
        return parse_host_json(doc)
    except HostJsonError as exc:
        raise HostJsonError(f"{path}: {exc}") from None
