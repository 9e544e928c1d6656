"""Recommendation speed over DynamoDB Local: ``python -m bench --only recommendation-speed``.

What a storefront pays for recommendations, in process (the ASGI app called directly,
no response cache, the catalog view cached as in production), with DynamoDB calls
counted per request:

1. one product's page, COMPLEMENTARY and RELATED (co-purchase rows from 2,000 random
   baskets, co-view rows from 2,000 random visitors' views), p50 / p95;
2. a listing of 5, 20 and 50 products with a list on every product, both kinds: the
   calls per request must not grow with the list;
3. training on the Instacart sample (``bench/recommendations.py``'s loader and model),
   when the ``bench`` extra is installed: its wall and CPU seconds.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

Row = tuple[str, str, str]
Measure = Callable[[Any, str, str, Callable[[int], dict[str, Any]], int], Row]
PAGE = """
query ($handle: String!, $kind: ProductRecommendationKind!) {
  product(handle: $handle) {
    recommendations(kind: $kind, first: 10) {
      nodes { product { handle } reason { code message } }
    }
  }
}
"""
LISTING = """
query ($first: Int!, $kind: ProductRecommendationKind!) {
  products(first: $first) {
    nodes { handle recommendations(kind: $kind, first: 4) { nodes { product { handle } } } }
  }
}
"""
BASKETS = 2000
VISITORS = 2000


def _app(endpoint: str) -> tuple[Any, list[str]]:
    """The app over the demo bookstore with co-purchase and co-view rows."""
    from commerce.app import create_app
    from commerce.catalog.demo import seed_demo_catalog
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.recommendations.co_views import add_co_views
    from commerce.recommendations.model import count_baskets
    from commerce.recommendations.store import co_purchases
    from commerce.recommendations.store.co_purchases import product_pk
    from commerce.recommendations.store.co_views import CoViewItem
    from commerce.settings import Settings

    settings = Settings(
        table_name=f"bench-recs-speed-{uuid.uuid4().hex[:8]}",
        dynamodb_endpoint=endpoint,
        catalog_cache_seconds=2.0,
        catalog_stale_seconds=30.0,
        response_cache=False,
        rate_limits=False,
    )
    services = build_services(settings)
    create_table_if_missing()
    seed_demo_catalog(services.catalog)
    products = [p for p in services.catalog.view().snapshot.products if p.published]
    ids = [p.id for p in products]
    draw = random.Random(23)
    co_purchases.replace_rows(
        count_baskets(draw.sample(ids, draw.randint(1, 4)) for _ in range(BASKETS)).items()
    )
    rows: dict[str, dict[str, int]] = {}
    for _ in range(VISITORS):
        viewed = draw.sample(ids, draw.randint(1, 6))
        for i, pid in enumerate(viewed):
            rows.update(add_co_views(rows, [pid], list(reversed(viewed[:i]))))
    with CoViewItem.batch_write() as batch:
        for pid, counts in rows.items():
            batch.save(CoViewItem(pk=product_pk(pid), sk="CO_VIEWS", product_id=pid,
                                  partners=counts))  # fmt: skip
    return create_app(services), [p.handle for p in products]


def recommendation_speed_rows(
    endpoint: str, measure: Measure, requests: int, instacart: Path | None
) -> list[Row]:
    """The three parts' rows."""
    app, handles = _app(endpoint)
    rows: list[Row] = []
    for kind in ("COMPLEMENTARY", "RELATED"):

        def page(i: int, kind: str = kind) -> dict[str, Any]:
            return {"handle": handles[i % len(handles)], "kind": kind}

        rows.append(measure(app, f"one product, {kind}", PAGE, page, requests))
    for kind in ("COMPLEMENTARY", "RELATED"):
        for first in (5, 20, 50):

            def listing(_i: int, first: int = first, kind: str = kind) -> dict[str, Any]:
                return {"first": first, "kind": kind}

            name = f"listing of {min(first, len(handles))}, {kind} on each"
            rows.append(measure(app, name, LISTING, listing, max(requests // 4, 20)))
    rows += _training_rows(instacart)
    return rows


def _training_rows(instacart: Path | None) -> list[Row]:
    from bench.recommendations import load_orders, split, train
    from commerce.recommendations.model import Similarity

    try:
        orders = load_orders(instacart)
    except (SystemExit, FileNotFoundError, ValueError) as missing:
        return [("training on the Instacart sample", "not run", str(missing)[:80])]
    started = time.perf_counter()
    trained = train(split(orders, 1).train, Similarity.JACCARD)
    return [
        (
            f"training on the Instacart sample ({len(orders)} orders)",
            f"{trained.cpu_seconds:.2f} s CPU, {trained.seconds:.2f} s wall",
            f"{len(trained.rows)} products, {time.perf_counter() - started:.2f} s in all",
        )
    ]
