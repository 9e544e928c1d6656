"""Run every benchmark and print one table: `make bench`.

Figures, not asserts: the suite never times anything. Runs against a DynamoDB
Local started here (in memory, 127.0.0.1) and the ASGI app in-process, then
against `uvicorn` pinned to one core together with DynamoDB Local, loaded from
the other core, which is how the comparison figures in the README were taken.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

Row = tuple[str, str, str]


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def _p95_ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"{ordered[int(0.95 * (len(ordered) - 1))] * 1000:.1f} ms"


def _python_seconds(code: str, runs: int = 7) -> float:
    """Median wall time of a fresh interpreter running ``code`` (minus bare start-up)."""

    def once(snippet: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", snippet], check=True, cwd=REPO)
        return time.perf_counter() - started

    bare = statistics.median(once("pass") for _ in range(runs))
    return statistics.median(once(code) for _ in range(runs)) - bare


def cold_start() -> list[Row]:
    """Import and schema-build cost, next to `import boto3` measured in the same run."""
    boto3 = _python_seconds("import boto3")
    handler = _python_seconds("import commerce.lambda_handler")
    build = _python_seconds("import commerce.lambda_handler as h; h._adapter = h._build()")
    return [
        ("cold start: import boto3 (reference)", f"{boto3 * 1000:.0f} ms", "fresh interpreter"),
        ("cold start: import commerce.lambda_handler", f"{handler * 1000:.0f} ms", ""),
        ("cold start: handler import + app + schema", f"{build * 1000:.0f} ms", "first event"),
    ]


@contextmanager
def dynamodb_local() -> Iterator[str]:
    from commerce.db.local import DynamoDBLocal, find_jar_dir

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with DynamoDBLocal(jar_dir=find_jar_dir(REPO), build_dir=REPO / ".commerce" / "build") as db:
        yield db.endpoint


@contextmanager
def counting_dynamodb_calls() -> Iterator[Counter[str]]:
    """Count DynamoDB API calls by operation (all threads) while the block runs."""
    from pynamodb.connection.base import Connection

    counts: Counter[str] = Counter()
    original = Connection._make_api_call

    def counted(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
        counts[operation_name] += 1
        return original(self, operation_name, operation_kwargs)

    Connection._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]


async def _timed_requests(
    app: Any, query: str, variables: Callable[[int], dict[str, Any]], count: int
) -> list[float]:
    import httpx2

    samples: list[float] = []
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://bench") as client:
        for i in range(count):
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables(i)}
            )
            samples.append(time.perf_counter() - started)
            body = response.json()
            if response.status_code != 200 or "errors" in body:
                raise RuntimeError(f"benchmark request failed: {response.text[:300]}")
    return samples


def in_process(endpoint: str, requests: int) -> tuple[list[Row], list[str]]:
    """Latency of the listing and the product page through the ASGI app, in process."""
    from bench.catalog_data import seed_bench_catalog
    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.settings import Settings

    rows: list[Row] = []
    table = f"bench-{uuid.uuid4().hex[:8]}"
    handles: list[str] = []
    for cache in (0.0, 2.0):
        settings = Settings(
            table_name=table, dynamodb_endpoint=endpoint, catalog_cache_seconds=cache
        )
        services = build_services(settings)
        if not handles:
            create_table_if_missing()
            started = time.perf_counter()
            handles = seed_bench_catalog(services.catalog)
            rows.append(
                ("seed 60 products x 3 variants", f"{time.perf_counter() - started:.1f} s", "")
            )
        app = create_app(services)
        label = "snapshot re-read every request" if cache == 0 else f"snapshot cached {cache:g} s"
        for first in (5, 50):
            with counting_dynamodb_calls() as calls:
                asyncio.run(_timed_requests(app, LISTING, lambda _: {"first": first}, 1))
            samples = asyncio.run(
                _timed_requests(app, LISTING, lambda _: {"first": first}, requests)
            )
            rows.append(
                (
                    f"listing {first} products ({label})",
                    f"{_median_ms(samples)} / {_p95_ms(samples)}",
                    f"{sum(calls.values())} DynamoDB calls: {dict(calls)}",
                )
            )
        if cache == 0:
            with counting_dynamodb_calls() as calls:
                asyncio.run(_timed_requests(app, BY_HANDLE, lambda _: {"handle": handles[0]}, 1))
            samples = asyncio.run(
                _timed_requests(
                    app, BY_HANDLE, lambda i: {"handle": handles[i % len(handles)]}, requests
                )
            )
            rows.append(
                (
                    "product by handle",
                    f"{_median_ms(samples)} / {_p95_ms(samples)}",
                    f"{sum(calls.values())} DynamoDB calls: {dict(calls)}",
                )
            )
    return rows, handles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests per latency figure")
    args = parser.parse_args(argv)

    rows: list[Row] = cold_start()
    with dynamodb_local() as endpoint:
        latency_rows, _ = in_process(endpoint, args.requests)
        rows += latency_rows

    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"\n{'benchmark':<{width}}  {'median / p95 or value':<{value_width}}  notes")
    print(f"{'-' * width}  {'-' * value_width}  -----")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
