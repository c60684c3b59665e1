"""`make demo`: a construction project synced end to end on the local stack.

Starts Azurite, the Procore and Graph emulators and the app under devhost; seeds a construction
project in Procore (documents, photos and tool items); connects it to a SharePoint folder through
the admin API; shows the initial sync's progress; prints the completion email, the renamed items,
where the files landed and the tool export; then times a change each way through the regular sync.
Everything started is stopped on exit, on failure, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from demo.walkthrough import DemoFailed, run
from devhost.services import ServiceError


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument(
        "--timeout-s",
        type=float,
        default=240,
        help="give up when the initial sync and its email take longer (default 240)",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        run(args.timeout_s)
    except (DemoFailed, ServiceError) as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    except AssertionError as exc:  # an emulator's control API refused a step (devhost.stack)
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; everything started was stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
