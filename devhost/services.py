"""Start and stop the local services (Azurite, the emulators) as child processes.

Used by the tests, `make demo` and the benchmarks. Ports are always chosen free at start: another
Azurite may already hold 10000-10002. Every started process is stopped on `close()` (and so on
exit, failure or Ctrl-C when used as a context manager).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite"

# The well-known Azurite development account (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the process that started it dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class ServiceError(RuntimeError):
    """A local service could not be started."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, deadline_s: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll until something accepts connections on `port`, or fail with a clear error."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(
                f"process exited with code {proc.returncode} before port {port} opened"
            )
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise ServiceError(f"nothing listened on port {port} within {deadline_s:.0f} s")


def wait_for_http(
    url: str,
    deadline_s: float,
    proc: subprocess.Popen[bytes] | None = None,
    verify: bool | str = True,
) -> None:
    """Poll `url` until it answers with any HTTP status below 500.

    `verify` may name a CA file (e.g. the certificate an HTTPS emulator writes at start); it is
    read on each attempt because the server may still be writing it.
    """
    deadline = time.monotonic() + deadline_s
    last_error = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"process exited with code {proc.returncode} before {url} answered")
        try:
            tls: bool | ssl.SSLContext = (
                ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
            )
            if httpx.get(url, timeout=1.0, verify=tls).status_code < 500:
                return
        except (httpx.HTTPError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.05)
    raise ServiceError(f"{url} did not answer within {deadline_s:.0f} s ({last_error})")


@dataclass
class Process:
    """A child process started by `Services`."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=timeout_s)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Azurite:
    """A running Azurite: its ports and the connection string for it."""

    blob_port: int
    queue_port: int
    table_port: int

    @property
    def connection_string(self) -> str:
        base = "http://127.0.0.1"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};"
            f"BlobEndpoint={base}:{self.blob_port}/{AZURITE_ACCOUNT};"
            f"QueueEndpoint={base}:{self.queue_port}/{AZURITE_ACCOUNT};"
            f"TableEndpoint={base}:{self.table_port}/{AZURITE_ACCOUNT};"
        )


@dataclass
class Services:
    """The set of local services one run started; `close()` stops them all."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pss-services-")))
    processes: list[Process] = field(default_factory=list)

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def spawn(self, name: str, argv: Sequence[str], env: dict[str, str] | None = None) -> Process:
        """Start `argv` in its own process group, logging to a file in the work dir."""
        log_path = self.workdir / f"{name}.log"
        log = log_path.open("wb")
        proc = subprocess.Popen(
            list(argv),
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads touch state before exec
        )
        log.close()
        process = Process(name=name, proc=proc, log_path=log_path)
        self.processes.append(process)
        return process

    def start_azurite(self, attempts: int = 3, debug_log: Path | None = None) -> Azurite:
        """Start Azurite (blob, queue, table) in memory on free ports.

        `debug_log`: Azurite's `--debug` file, which records every request it serves (the
        benchmarks count Table Storage operations in it; Azurite keeps no counters).
        """
        if not AZURITE_BIN.exists():
            raise ServiceError(f"{AZURITE_BIN} is missing: run `npm ci` (make does this)")
        last: Exception | None = None
        for _ in range(attempts):
            ports = Azurite(free_port(), free_port(), free_port())
            process = self.spawn(
                "azurite",
                [
                    str(AZURITE_BIN),
                    "--silent",
                    "--inMemoryPersistence",
                    "--disableTelemetry",
                    "--skipApiVersionCheck",
                    "--blobPort",
                    str(ports.blob_port),
                    "--queuePort",
                    str(ports.queue_port),
                    "--tablePort",
                    str(ports.table_port),
                    *(["--debug", str(debug_log)] if debug_log is not None else []),
                ],
            )
            try:
                for port in (ports.blob_port, ports.queue_port, ports.table_port):
                    wait_for_port(port, 30, process.proc)
                return ports
            except ServiceError as exc:  # a port was taken between choosing and binding
                last = ServiceError(f"{exc}\n{process.log_tail()}")
                process.stop()
        raise ServiceError(f"Azurite did not start: {last}")

    def start_python_server(
        self,
        name: str,
        module: str,
        args: Sequence[str] = (),
        ready_path: str = "/",
        env: dict[str, str] | None = None,
        deadline_s: float = 30,
        scheme: str = "http",
        verify: bool | str = True,
        port: int | None = None,
    ) -> tuple[Process, str]:
        """Run `python -m module --port N *args` and wait until `ready_path` answers.

        Returns the process and its base URL (`http://127.0.0.1:N`, or `https://` with
        `scheme="https"`; `verify` is then the CA file to trust, as for `wait_for_http`).
        `port` is chosen free unless given (a server whose URL must be known before it starts,
        e.g. the app's PUBLIC_BASE_URL).
        """
        port = port if port is not None else free_port()
        process = self.spawn(
            name, [sys.executable, "-m", module, "--port", str(port), *args], env=env
        )
        base_url = f"{scheme}://127.0.0.1:{port}"
        try:
            wait_for_http(base_url + ready_path, deadline_s, process.proc, verify=verify)
        except ServiceError as exc:
            raise ServiceError(f"{name}: {exc}\n{process.log_tail()}") from None
        return process, base_url
