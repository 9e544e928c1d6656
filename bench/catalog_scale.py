"""The catalog at several sizes, side by side: `python -m bench --only catalog-scale
--products 1000,100000`.

For each size: a DynamoDB Local seeded through the catalog service's own import path
(BatchWriteItem; 100,000 products x 3 variants is 600,000 items). In memory by
default; with ``--keep-seed`` its data folder is kept under
``.commerce/bench/catalog-<size>/`` and reused by later runs (DynamoDB Local's on-disk
store writes several times slower, so the first such run takes much longer). Then a
snapshot published from it, then a fresh process that starts the
app and asks its first listing (time and RSS measured there), and in-process
latencies of the executed operations (response cache off) with their DynamoDB calls.
The last column compares each figure with the smallest size's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.__main__ import (
    BENCH_BUDGETS,
    BY_HANDLE,
    LISTING,
    REPO,
    Row,
    Variables,
    _requests,
)

TABLE = "bench-catalog"
# Few enough shelves, and authors matched by a prefix, that every measured page is full
# (50 products) at 1,000 products too: the sizes then compare the same work per page.
SHELVES = 10
AUTHORS = 97
TEXT_QUERY = """
query Text($q: String!) {
  products(first: 50, query: $q) {
    totalCount
    nodes { id title handle priceRange { minVariantPrice { amount currencyCode } } }
  }
}
"""
FILTERED = """
query Filtered($collection: ID!) {
  products(first: 50, sortKey: PRICE, filter: { collectionId: $collection, inStock: true }) {
    totalCount
    nodes { id title handle priceRange { minVariantPrice { amount currencyCode } } }
  }
}
"""


def _data_dir(size: int) -> Path:
    return REPO / ".commerce" / "bench" / f"catalog-{size}"


@contextmanager
def _dynamodb(size: int, keep: bool) -> Iterator[str]:
    from commerce.db.local import DynamoDBLocal, find_jar_dir

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    folder = _data_dir(size) / "dynamodb" if keep else None
    if folder is not None:
        if not (_data_dir(size) / "facts.json").exists():  # a seed that did not finish
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    else:  # facts of an earlier in-memory run describe a table that is gone
        (_data_dir(size) / "facts.json").unlink(missing_ok=True)
    build = REPO / ".commerce" / "build"
    with DynamoDBLocal(jar_dir=find_jar_dir(REPO), build_dir=build, data_dir=folder) as db:
        yield db.endpoint


def _settings(size: int, endpoint: str, **changes: Any) -> Any:
    from commerce.settings import Settings

    return Settings(
        table_name=TABLE,
        dynamodb_endpoint=endpoint,
        data_dir=_data_dir(size),
        response_cache=False,
        catalog_cache_seconds=2.0,
        catalog_stale_seconds=30.0,
        **{**BENCH_BUDGETS, **changes},
    )


def _drafts(size: int, shelves: list[str]) -> list[Any]:
    from commerce.catalog.commands import ProductDraft, VariantDraft
    from commerce.catalog.model import Attribute, OptionValue, VariantKind
    from commerce.money import Currency, Money

    drafts = []
    for n in range(size):
        code = f"S{n:06d}"
        editions = (
            ("Hardcover", VariantKind.PHYSICAL, 1999 + n % 1000, n % 7),
            ("E-book", VariantKind.DIGITAL, 599 + n % 700, 0),
            ("Audiobook", VariantKind.DIGITAL, 1499 + n % 900, 0),
        )
        drafts.append(
            ProductDraft(
                title=f"Scale Book {n:06d}",
                description="A book that exists to be listed quickly, at any catalog size.",
                attributes=(Attribute("author", (f"Writer {n % AUTHORS}",)),),
                tags=("bench", "fantasy" if n % 2 else "mystery"),
                collection_ids=(shelves[n % SHELVES],),
                published=True,
                variants=tuple(
                    VariantDraft(
                        sku=f"{code}-{name[:2].upper()}",
                        options=(OptionValue("Format", name),),
                        prices=(Money(amount, Currency.USD), Money(amount - 100, Currency.EUR)),
                        kind=kind,
                        initial_stock=stock,
                        weight_grams=450 if kind is VariantKind.PHYSICAL else None,
                    )
                    for name, kind, amount, stock in editions
                ),
            )
        )
    return drafts


def _seeded(size: int, endpoint: str) -> tuple[dict[str, Any], float | None]:
    """The catalog's facts (seeding it first when its data folder has none)."""
    from commerce.catalog.commands import CollectionDraft
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing

    facts_file = _data_dir(size) / "facts.json"
    if facts_file.exists():
        return json.loads(facts_file.read_text()), None
    services = build_services(_settings(size, endpoint))
    create_table_if_missing()
    started = time.perf_counter()
    shelves = [
        services.catalog.create_collection(CollectionDraft(title=f"Shelf {n}")).id
        for n in range(SHELVES)
    ]
    created = services.catalog.import_products(_drafts(size, shelves))
    seconds = time.perf_counter() - started
    facts = {
        "collection": shelves[1],
        "handles": [p.handle for p in created[:: max(1, size // 500)]],
    }
    facts_file.write_text(json.dumps(facts))
    return facts, seconds


_FIRST_LISTING = """
import asyncio, json, resource, sys, time
started = time.perf_counter()
from commerce.app import create_app
from commerce.composition import build_services
from commerce.settings import Settings
import httpx2
from pathlib import Path
given = json.loads(sys.argv[1])
settings = Settings(**{**given, "data_dir": Path(given["data_dir"])})
app = create_app(build_services(settings))
ready = time.perf_counter()

async def first():
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://bench") as client:
        payload = {"query": sys.argv[2], "variables": {"first": 50}}
        response = await client.post("/graphql", json=payload)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    return time.perf_counter()

answered = asyncio.run(first())
rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024
print(json.dumps({"start": ready - started, "seconds": answered - ready, "rss_mb": rss}))
"""


def _first_listing(size: int, endpoint: str) -> dict[str, float]:
    """A fresh interpreter: imports and app, then its first 50-product listing (the
    snapshot's pointer read and file loaded); its RSS after."""
    settings = {
        "table_name": TABLE,
        "dynamodb_endpoint": endpoint,
        "data_dir": str(_data_dir(size)),
        "response_cache": False,
        **BENCH_BUDGETS,
    }
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_LISTING, json.dumps(settings), LISTING],
        check=False,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the first listing failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _latency(app: Any, query: str, variables: Variables, count: int) -> float:
    asyncio.run(_requests(app, query, variables, 10))  # warm the view and the decoders
    return statistics.median(asyncio.run(_requests(app, query, variables, count)))


def measure(size: int, count: int, keep: bool) -> dict[str, float | str]:
    """Every figure of one catalog size."""
    from commerce.app import create_app
    from commerce.composition import build_services

    with _dynamodb(size, keep) as endpoint:
        facts, seeded_in = _seeded(size, endpoint)
        services = build_services(_settings(size, endpoint))
        started = time.perf_counter()
        pointer = services.catalog.publish_snapshot()
        publish = time.perf_counter() - started
        first = _first_listing(size, endpoint)
        app = create_app(build_services(_settings(size, endpoint)))
        handles: list[str] = facts["handles"]
        figures: dict[str, float | str] = {
            "seeded in": "cached" if seeded_in is None else f"{seeded_in:.0f} s",
            "publish": publish,
            "snapshot MB": pointer.size_bytes / 1e6,
            "app start (imports, schema)": first["start"],
            "first listing after start": first["seconds"],
            "rss": first["rss_mb"],
            "listing 50": _latency(app, LISTING, lambda _: {"first": 50}, count),
            "text query": _latency(
                app, TEXT_QUERY, lambda i: {"q": f"writer {i % AUTHORS}"}, count
            ),
            "filtered, by price": _latency(
                app, FILTERED, lambda _: {"collection": _global(facts["collection"])}, count
            ),
            "by handle": _latency(
                app, BY_HANDLE, lambda i: {"handle": handles[i % len(handles)]}, count
            ),
        }
        return figures


def _global(collection_id: str) -> str:
    from commerce.graphql.ids import to_global_id

    return to_global_id("Collection", collection_id)


def catalog_scale_rows(sizes: list[int], count: int, keep: bool = False) -> list[Row]:
    """One row per figure, the sizes side by side; the last size against the first."""
    results = {size: measure(size, count, keep) for size in sizes}
    rows: list[Row] = []
    base, top = sizes[0], sizes[-1]
    units = {
        "publish": "s",
        "snapshot MB": "MB",
        "app start (imports, schema)": "s",
        "first listing after start": "s",
        "rss": "MB",
    }
    for name in results[base]:
        cells = []
        for size in sizes:
            value = results[size][name]
            if isinstance(value, str):
                cells.append(f"{size:,}: {value}")
            elif name in units:
                cells.append(f"{size:,}: {value:.2f} {units[name]}")
            else:
                cells.append(f"{size:,}: {value * 1000:.1f} ms")
        low, high = results[base][name], results[top][name]
        ratio = (
            f"{high / low:.2f}x at {top:,} vs {base:,}"
            if isinstance(low, float) and isinstance(high, float) and low and len(sizes) > 1
            else ""
        )
        label = name if name in units or name == "seeded in" else f"{name} (median, executed)"
        rows.append((f"catalog: {label}", " | ".join(cells), ratio))
    return rows
