"""`python -m emulators.procore --port N [--seed demo|none] [--host H] [options]`."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from emulators.procore.app import build_app
from emulators.procore.options import Options


def parse_args(argv: list[str]) -> argparse.Namespace:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m emulators.procore", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", choices=["demo", "none"], default="demo")
    parser.add_argument("--base-url", default="")
    parser.add_argument("--log-level", default="INFO")
    for name, field in Options.model_fields.items():
        if name == "base_url":
            continue
        flag = "--" + name.replace("_", "-")
        if field.annotation is bool:
            parser.add_argument(flag, action="store_true", default=getattr(defaults, name))
        else:
            parser.add_argument(flag, type=field.annotation, default=getattr(defaults, name))  # type: ignore[arg-type]
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(message)s", stream=sys.stderr)
    values = {name: getattr(args, name) for name in Options.model_fields if name != "base_url"}
    base_url = args.base_url.rstrip("/") or f"http://{args.host}:{args.port}"
    options = Options(base_url=base_url, **values)
    app = build_app(options, seed=args.seed)
    # uvicorn handles SIGTERM/SIGINT with a graceful shutdown; it also adds the Date header.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="on"
    )


if __name__ == "__main__":
    main()
