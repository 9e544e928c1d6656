"""A helper server process on 127.0.0.1 (DynamoDB Local, localstripe) for tests and ``serve``.

Each server runs through a small launcher of ours that binds loopback only, prints a
ready line once it listens, and exits when its stdin closes, so a killed parent never
leaves a server behind. This module owns that life cycle; subclasses say what to run
and how to tell that it serves. It imports nothing heavy (no boto3, no stripe).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, ClassVar, Self

HOST = "127.0.0.1"
_PROBE_INTERVAL_SECONDS = 0.05
_LOG_TAIL_LINES = 40


def free_port() -> int:
    """Ask the OS for a free port on 127.0.0.1 (the launcher binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """The last lines of a server's log, to put the real cause into error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


class LocalServerError(RuntimeError):
    """A local server cannot be found, started or reached."""


class LocalServer:
    """One server process on 127.0.0.1, started and stopped on demand.

    ``port=None`` picks a free port at the first start and keeps it, so ``endpoint`` stays
    the same across restarts. The server's output goes to a log file in ``log_dir``.
    """

    #: The server's name in its log file's name, and in messages.
    name: ClassVar[str] = "server"
    title: ClassVar[str] = "server"
    #: Printed by the launcher once it listens.
    ready_line: ClassVar[str] = ""
    #: Raised for every failure, so callers catch their server's own error type.
    error: ClassVar[type[LocalServerError]] = LocalServerError
    stop_grace_seconds: ClassVar[float] = 5.0

    def __init__(self, *, log_dir: Path, port: int | None = None) -> None:
        self.log_dir = log_dir.absolute()
        self._port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- what subclasses provide ---------------------------------------------------------

    def _prepare(self) -> None:
        """Check what the server needs (and build it) before the first start."""

    def _command(self, port: int) -> Sequence[str]:
        raise NotImplementedError

    def _environment(self) -> Mapping[str, str]:
        return os.environ

    def _working_directory(self) -> Path | None:
        return None

    def _serves(self) -> bool:
        """Whether the server answers requests, once its ready line is out."""
        return True

    # -- life cycle -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The server's base URL."""
        if self._port is None:
            raise self.error(f"{self.title} has no port yet: call start() first")
        return f"http://{HOST}:{self._port}"

    @property
    def pid(self) -> int | None:
        """Process id of the running server, or None when it is not running."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def running(self) -> bool:
        """Whether the process is alive (it may still be starting)."""
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path:
        """Where the server's stdout and stderr go, one file per port."""
        return self.log_dir / f"{self.name}-{self._port}.log"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and return once it serves; no-op if it is already running.

        Raises ``error``, with the tail of the server's output, if it exits or does not
        serve within ``timeout`` seconds.
        """
        if self.running:
            return
        self._prepare()
        if self._port is None:
            self._port = free_port()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            list(self._command(self._port)),
            # The launcher exits when this pipe closes, even if we die without cleaning up.
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C in a terminal reaches us, not the server; stop()
            # signals the whole group.
            start_new_session=True,
            cwd=self._working_directory(),
            env=dict(self._environment()),
        )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM to the process group, then SIGKILL after a grace period."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
                try:
                    process.wait(self.stop_grace_seconds)
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self, timeout: float) -> None:
        """Wait for our launcher's ready line, then for the server to serve.

        The ready line guards against a foreign server already on the port: our process
        would fail to bind and exit, yet the endpoint would answer.
        """
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            process = self._process
            if process is None or process.poll() is not None:
                code = None if process is None else process.returncode
                raise self.error(
                    f"{self.title} exited with code {code} while starting; "
                    f"last output ({self.log_path}):\n{log_tail(self.log_path)}"
                )
            announced = announced or self.ready_line in log_tail(self.log_path)
            if announced and self._serves():
                return
            if time.monotonic() >= deadline:
                raise self.error(
                    f"{self.title} did not answer on {self.endpoint} within {timeout:.0f} s; "
                    f"last output ({self.log_path}):\n{log_tail(self.log_path)}"
                )
            time.sleep(_PROBE_INTERVAL_SECONDS)


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal the whole process group, in case the server ever spawns helpers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
