"""The offline host: the app's queue, timer and HTTP triggers run together (DESIGN §6).

`Host` is what `python -m devhost` runs, and can be started in a thread by tests:

    host = Host(app, load_host_json(path), port=0, function_key="k")
    host.start()
    ... host.url ...
    host.stop()
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import uvicorn

from devhost.catalog import Catalog, discover
from devhost.host_json import HostOptions
from devhost.http_front import HttpFront
from devhost.invoker import Invoker
from devhost.queue_listener import QueueListener
from devhost.timers import TimerRunner, parse_schedule

log = logging.getLogger("devhost")

DEFAULT_LEASE_S = 600
"""How long a fetched message stays invisible while its function runs, when host.json sets no
functionTimeout. The real host renews a 10-minute lease while the function runs; devhost takes
one lease of functionTimeout + 1 minute instead (a function cannot legitimately run longer)."""

MAX_LEASE_S = 7 * 24 * 3600


class HostError(RuntimeError):
    """devhost cannot start as asked (bad app, settings or port); the message says why."""


def storage_connection(name: str, env: Mapping[str, str]) -> str:
    """The connection string a trigger's `connection` names: the setting itself, or
    `AzureWebJobs<name>`, as the Functions host looks them up."""
    for key in (name, f"AzureWebJobs{name}"):
        value = env.get(key, "").strip()
        if value:
            return value
    raise HostError(
        f"connection {name!r}: app setting {name} is not set (devhost needs a storage "
        "connection string, e.g. Azurite's, in it)"
    )


class Host:
    def __init__(
        self,
        app: Any,
        options: HostOptions,
        *,
        port: int = 7071,
        bind: str = "127.0.0.1",
        function_key: str | None = None,
        master_key: str | None = None,
        env: Mapping[str, str] | None = None,
        drain_s: float = 30.0,
        lease_s: int | None = None,
        redeliver: bool = False,
    ) -> None:
        env = os.environ if env is None else env
        self.options = options
        self.catalog: Catalog = discover(app, env)
        self.drain_s = drain_s
        self._state = "Default"
        self._invoker = Invoker()
        lease = lease_s or (
            int(options.function_timeout_s) + 60 if options.function_timeout_s else DEFAULT_LEASE_S
        )
        for timer in self.catalog.timers:
            parse_schedule(timer)
        self._listeners = [
            QueueListener(
                entry,
                storage_connection(entry.connection, env),
                options.queues,
                self._invoker,
                min(lease, MAX_LEASE_S),
                redeliver,
            )
            for entry in self.catalog.queues
        ]
        self._timers = [TimerRunner(entry, self._invoker) for entry in self.catalog.timers]
        front = HttpFront(
            self.catalog,
            self._invoker,
            options.route_prefix,
            function_key,
            master_key,
            self.status,
            self.run_timer,
        )
        self._server = uvicorn.Server(
            uvicorn.Config(
                front.app,
                host=bind,
                port=port,
                log_config=None,
                lifespan="off",
                timeout_graceful_shutdown=max(int(drain_s), 1),
            )
        )
        self._bind = bind
        self._http_thread = threading.Thread(
            target=self._server.run, name="devhost-http", daemon=True
        )

    def run_timer(self, name: str) -> bool:
        """Fire the timer function `name` now; False when there is none of that name."""
        for runner in self._timers:
            if runner.entry.name.lower() == name.lower():
                runner.fire_now()
                return True
        return False

    @property
    def port(self) -> int:
        servers = getattr(self._server, "servers", [])
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self._server.config.port)

    @property
    def url(self) -> str:
        return f"http://{self._bind}:{self.port}"

    def status(self) -> dict[str, Any]:
        return {
            "state": self._state,
            "version": "devhost",
            "functions": [row["name"] for row in self.catalog.describe()],
        }

    def start(self, deadline_s: float = 15.0) -> None:
        """Start listeners, timers and the HTTP server; returns once all of them run."""
        for listener in self._listeners:
            try:
                listener.start()
            except Exception as exc:
                self._stop_workers(0)
                first_line = str(exc).splitlines()[0] if str(exc) else ""
                raise HostError(
                    f"function {listener.entry.name}: cannot open queue "
                    f"{listener.entry.queue_name!r}: {exc.__class__.__name__}: {first_line}"
                ) from None
        self._http_thread.start()
        deadline = time.monotonic() + deadline_s
        while not self._server.started:
            if not self._http_thread.is_alive() or time.monotonic() > deadline:
                self._stop_workers(0)
                raise HostError(
                    f"the HTTP server could not listen on {self._bind}:{self._server.config.port}"
                )
            time.sleep(0.02)
        for timer in self._timers:
            timer.start()
        self._state = "Running"
        log.info(
            "host started",
            extra={"url": self.url, "functions": [r["name"] for r in self.catalog.describe()]},
        )

    def stop(self) -> bool:
        """Stop taking work, let in-flight invocations finish (up to `drain_s`), close the
        HTTP server. False if some invocations were still running at the deadline."""
        self._state = "Stopping"
        self._server.should_exit = True
        drained = self._stop_workers(self.drain_s)
        self._http_thread.join(timeout=self.drain_s + 5)
        self._invoker.close()
        self._state = "Stopped"
        log.info("host stopped", extra={"drained": drained})
        return drained

    def _stop_workers(self, drain_s: float) -> bool:
        for listener in self._listeners:
            listener.stop_polling()
        for timer in self._timers:
            timer.stop()
        deadline = time.monotonic() + drain_s
        drained = True
        workers: list[QueueListener | TimerRunner] = [*self._listeners, *self._timers]
        for worker in workers:
            remaining = max(deadline - time.monotonic(), 0.0)
            drained = worker.drain(remaining) and drained
        if not drained:
            log.warning("stopped with invocations still running; their messages will reappear")
        return drained
