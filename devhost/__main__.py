"""`python -m devhost`: run the Function App offline, like `func start` (DESIGN §6).

Loads the `Values` of local.settings.json into the environment (variables already set win, as
with the Core Tools), imports the app object, and serves until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger("devhost")


class UsageError(Exception):
    """Bad command-line input; printed without a traceback."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devhost", description="Run the Function App offline against Azurite."
    )
    parser.add_argument("--app", default="function_app:app", help="module:attribute of the app")
    parser.add_argument("--port", type=int, default=7071, help="HTTP port (0 picks a free one)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--settings", default="local.settings.json", help="settings file")
    parser.add_argument("--host-json", default="host.json", help="host.json to honour")
    parser.add_argument(
        "--function-key", default=None, help="key for function-level routes (ADMIN_FUNCTION_KEY)"
    )
    parser.add_argument(
        "--master-key", default=None, help="key for admin-level routes (DEVHOST_MASTER_KEY)"
    )
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=30.0,
        help="how long to let in-flight invocations finish on stop",
    )
    parser.add_argument(
        "--message-lease-seconds",
        type=int,
        default=None,
        help="how long a fetched message stays invisible (what a crashed worker leaves behind); "
        "default functionTimeout + 60 s",
    )
    parser.add_argument(
        "--redeliver",
        action="store_true",
        help="deliver every queue message twice (tests that handlers are idempotent)",
    )
    return parser.parse_args(argv)


def load_settings_file(path: Path, env: MutableMapping[str, str]) -> list[str]:
    """Put the file's `Values` into `env` unless already set; returns the names it set."""
    if not path.exists():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        values = doc.get("Values", {}) if isinstance(doc, dict) else None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(values, dict):
        raise UsageError(f"{path}: 'Values' must be an object of app settings")
    applied = []
    for name, value in values.items():
        if name not in env:
            env[name] = value if isinstance(value, str) else json.dumps(value)
            applied.append(name)
    return applied


def import_app(spec: str) -> Any:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"--app must be module:attribute, got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name!r}: {exc}") from None
    app = getattr(module, attribute, None)
    if app is None or not hasattr(app, "get_functions"):
        raise UsageError(f"{spec} is not a Function App (no get_functions())")
    return app


def main(argv: Sequence[str] | None = None) -> int:
    from devhost.catalog import CatalogError
    from devhost.host import Host, HostError
    from devhost.host_json import HostJsonError, load_host_json
    from devhost.log_format import configure_logging
    from devhost.routes import RouteTemplateError

    args = parse_args(argv)
    try:
        load_settings_file(Path(args.settings), os.environ)
        configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
        options = load_host_json(Path(args.host_json))
        app = import_app(args.app)
        host = Host(
            app,
            options,
            port=args.port,
            bind=args.bind,
            function_key=args.function_key or os.environ.get("ADMIN_FUNCTION_KEY"),
            master_key=args.master_key or os.environ.get("DEVHOST_MASTER_KEY"),
            drain_s=args.drain_seconds,
            lease_s=args.message_lease_seconds,
            redeliver=args.redeliver,
        )
        host.start()
    except (UsageError, HostJsonError, CatalogError, RouteTemplateError, HostError) as exc:
        print(f"devhost: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    print(f"devhost serving on {host.url}", flush=True)
    for row in host.catalog.describe():
        facts = ", ".join(f"{k}={v}" for k, v in row.items() if k != "name")
        print(f"  {row['name']}: {facts}", flush=True)
    while not stop.wait(1.0):
        pass
    print("devhost stopping", flush=True)
    drained = host.stop()
    print(
        "devhost stopped" if drained else "devhost stopped (some invocations abandoned)", flush=True
    )
    if not drained:
        os._exit(0)  # abandoned worker threads must not hold the exit; their messages reappear
    return 0


if __name__ == "__main__":
    sys.exit(main())
