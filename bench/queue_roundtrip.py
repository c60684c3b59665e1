"""Queue round trip: a ping sent by the app's enqueue helper, answered by the ping function
running under devhost, until its reply is read back.

Prints `queue_roundtrip_ms_p50` and `queue_roundtrip_ms_p95` over `--count` pings, sent one at a
time (latency, not throughput).
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime

from bench.figures import emit, percentile
from devhost.services import Services
from devhost.stack import app_environment, await_message, start_devhost
from shared.config import load_settings
from shared.queues import Ping, PingReply, QueueSender
from shared.storage import queue_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    with Services() as services:
        azurite = services.start_azurite()
        env = app_environment(azurite)
        start_devhost(services, env)
        settings = load_settings(**{k: v for k, v in env.items() if v})
        service = queue_service(settings)
        sender = QueueSender(service)
        samples: list[float] = []
        for _ in range(args.count):
            ping_id = uuid.uuid4().hex
            started = time.perf_counter()
            sender.send(Ping(ping_id=ping_id, sent_at=datetime.now(UTC)))
            await_message(service, PingReply, lambda reply, p=ping_id: reply.ping_id == p)
            samples.append((time.perf_counter() - started) * 1000)
        emit("queue_roundtrip_ms_p50", percentile(samples, 50))
        emit("queue_roundtrip_ms_p95", percentile(samples, 95))


if __name__ == "__main__":
    main()
