"""`python -m emulators.graph --port N [--cert-dir DIR] [--seed demo|none] [options]`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from .app import Emulator
from .options import Options
from .tls import ensure_certificate


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m emulators.graph", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--cert-dir", type=Path, default=Path(".local"))
    parser.add_argument("--seed", choices=["demo", "none"], default="demo")
    parser.add_argument("--log-level", default="warning")
    for name, field in Options.model_fields.items():
        flag = "--" + name.replace("_", "-")
        default = getattr(defaults, name)
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
            if name == "forbid_trailing_dot":
                parser.add_argument(
                    "--allow-trailing-dot",
                    dest=name,
                    action="store_false",
                    help="same as --no-forbid-trailing-dot",
                )
        else:
            parser.add_argument(flag, type=type(default), default=default, help=field.description)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    options = Options(**{name: getattr(args, name) for name in Options.model_fields})
    paths = ensure_certificate(args.cert_dir)
    emulator = Emulator(options, seed=args.seed)
    uvicorn.run(
        emulator.asgi(),
        host=args.host,
        port=args.port,
        ssl_certfile=str(paths.cert),
        ssl_keyfile=str(paths.key),
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
    )


if __name__ == "__main__":
    main()
