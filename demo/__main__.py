"""`make demo`: start the local stack and run the app end to end, then stop everything.

For now the app's end-to-end path is the health check and the ping round trip through a queue;
this grows into the demo sync of a seeded project as the sync lands.
"""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType

import httpx

from devhost.services import ServiceError, Services
from devhost.stack import app_environment, await_message, start_devhost
from shared.config import load_settings
from shared.queues import Ping, PingReply
from shared.storage import queue_service


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def step(text: str) -> None:
    print(f"==> {text}", flush=True)


def run() -> None:
    with Services() as services:
        step("starting Azurite (in memory, free ports)")
        azurite = services.start_azurite()
        env = app_environment(azurite)
        step("starting the Function App under devhost")
        _, base_url = start_devhost(services, env)
        key = env["ADMIN_FUNCTION_KEY"]
        with httpx.Client(base_url=base_url, timeout=10) as http:
            status = http.get("/admin/host/status").json()
            names = ", ".join(sorted(status.get("functions", [])))
            print(f"    devhost at {base_url}: {status.get('state')}; functions: {names}")
            step("GET /api/health")
            health = http.get("/api/health")
            print(f"    {health.status_code} {health.text}")
            step("POST /api/ping without a function key (must be refused)")
            refused = http.post("/api/ping")
            print(f"    {refused.status_code}")
            step("POST /api/ping with the function key: a ping goes onto the 'ping' queue")
            started = time.perf_counter()
            sent = Ping.model_validate_json(
                http.post("/api/ping", headers={"x-functions-key": key}).raise_for_status().text
            )
            print(f"    ping {sent.ping_id} queued")
        settings = load_settings(**{k: v for k, v in env.items() if v})
        reply = await_message(
            queue_service(settings), PingReply, lambda r: r.ping_id == sent.ping_id
        )
        elapsed_ms = (time.perf_counter() - started) * 1000
        step("the ping function answered on 'ping-replies'")
        print(
            f"    reply to {reply.ping_id} after {elapsed_ms:.0f} ms (answered {reply.answered_at})"
        )
        if health.status_code != 200 or refused.status_code != 401:
            raise SystemExit("demo failed: health or key check did not answer as expected")
        step("stopping everything")
    print("demo finished")


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        run()
    except ServiceError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; everything started was stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
