"""The worst documents and bodies we can build, fired at a served app: ``--only abuse``.

uvicorn serves the app on 127.0.0.1 (the options ``commerce serve`` uses) over DynamoDB
Local, with the production cost limits and a budget large enough that every attack gets
its own answer rather than ``THROTTLED``. Four clients fire each attack in turn while a
fifth polls ``/health``; the table gives each attack's slowest answer (and its status),
and ``/health``'s median and slowest latency meanwhile. Aims: every refusal within
50 ms, ``/health`` within 100 ms.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

Row = tuple[str, str, str]
ROUNDS = 20
CLIENTS = 4


def _chain(levels: int, on: str, leaf: str) -> str:
    chain = "".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels))
    return chain + f"fragment F{levels} on {on} {{ {leaf} }}"


def _query(text: str) -> bytes:
    return json.dumps({"query": text}).encode()


def attacks() -> dict[str, bytes | Callable[[], Iterator[bytes]]]:
    """Each attack's body (or a generator of chunks, sent without Content-Length)."""
    nested_fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} }} " for i in range(400))
    return {
        "fragment chain x2, 30 levels, root": _query(
            "{ ...F0 } " + _chain(30, "Query", "__typename")
        ),
        "fragment chain x2, 30 levels, in a connection": _query(
            "{ products(first: 1) { nodes { ...F0 } } } " + _chain(30, "Product", "title")
        ),
        "fragment chain x1, 400 levels": _query(
            "{ ...F0 } " + nested_fragments + "fragment F400 on Query { __typename }"
        ),
        "2,400 same-name fields (overlap check)": _query(
            "{ products(first: 1) { nodes { " + "title " * 2400 + "} } }"
        ),
        "4,990 tokens of aliases": _query(
            "{ products(first: 1) { nodes { "
            + " ".join(f"a{i}: title" for i in range(1600))
            + " } } }"
        ),
        "6,000 tokens (over the limit)": _query("{ " + "__typename " * 6000 + "}"),
        "Int literal of 5,000 digits": _query(
            f"{{ products(first: -{'9' * 5000}) {{ nodes {{ title }} }} }}"
        ),
        "JSON nested 300,000 deep": b'{"query": "{ __typename }", "variables": {"v": '
        + b"[" * 300_000
        + b"]" * 300_000
        + b"}}",
        "chunked body of 64 MiB": lambda: (b"x" * 65_536 for _ in range(1024)),
    }


@contextmanager
def served(endpoint: str) -> Iterator[tuple[str, int]]:
    """uvicorn on 127.0.0.1 in this process: (host, port)."""
    import uvicorn

    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.local_server import free_port
    from commerce.settings import Settings
    from commerce.web.serving import uvicorn_options

    settings = Settings(
        table_name=f"bench-{uuid.uuid4().hex[:8]}",
        dynamodb_endpoint=endpoint,
        anonymous_budget=10**9,
        anonymous_restore_rate=10**9,
    )
    services = build_services(settings)
    create_table_if_missing()
    port = free_port()
    config = uvicorn.Config(
        create_app(services),
        host="127.0.0.1",
        port=port,
        log_level="error",
        access_log=False,
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _send(port: int, body: bytes | Callable[[], Iterator[bytes]]) -> tuple[float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
    started = time.perf_counter()
    try:
        if callable(body):
            connection.request(
                "POST", "/graphql", body=body(), headers=headers, encode_chunked=True
            )
        else:
            connection.request("POST", "/graphql", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (ConnectionError, http.client.HTTPException):
        status = 0  # the server closed the connection after answering 413 mid-upload
    finally:
        connection.close()
    return time.perf_counter() - started, status


def abuse_rows(endpoint: str) -> list[Row]:
    """One row per attack: its slowest answer, and /health meanwhile."""
    rows: list[Row] = []
    with served(endpoint) as (_, port):
        for name, body in attacks().items():
            _send(port, body)  # warm: first parse, first table read
            answers, health = _under_attack(port, body)
            slowest = max(took for took, _ in answers)
            statuses = sorted({status for _, status in answers})
            rows.append(
                (
                    f"abuse: {name}",
                    f"{slowest * 1000:.1f} ms",
                    f"status {statuses}; /health median {statistics.median(health) * 1000:.1f} ms,"
                    f" slowest {max(health) * 1000:.1f} ms",
                )
            )
    return rows


def _under_attack(
    port: int, body: bytes | Callable[[], Iterator[bytes]]
) -> tuple[list[tuple[float, int]], list[float]]:
    """``CLIENTS`` clients send ``body`` ``ROUNDS`` times while /health is polled."""
    health: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            health.append(_health(port)[0])
            time.sleep(0.01)

    poller = threading.Thread(target=poll)
    poller.start()
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda _: _send(port, body), range(ROUNDS)))
    stop.set()
    poller.join()
    return answers, health


def _health(port: int) -> tuple[float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", "/health")
    response = connection.getresponse()
    response.read()
    connection.close()
    return time.perf_counter() - started, response.status
