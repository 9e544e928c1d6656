"""The recommendation model: item-to-item co-occurrence with a time-decayed affinity (SAR).

Pure functions over plain values, so the API function serves them without numpy, the
training job and the stream consumer share them, and ``bench/recommendations.py``
measures exactly what the store serves:

- **co-occurrence**: how many baskets hold each product (``occurrences``) and each pair
  (``pairs``); a product's neighbours are its partners ranked by a similarity of those
  counts (Jaccard by default: explainable, and it does not favour rare items as lift does);
- **affinity**: a shopper's weight per product, each purchase counted with a weight that
  halves every ``half_life`` (recent purchases say more about the next one);
- **scores**: a product's score for a shopper is its own affinity (buying again, for what
  can be bought again) plus the affinity of each seed times its similarity to the product.

Each score remembers the seed that contributed most, which becomes the reason shown
("Because you bought *A Wizard of Earthsea*").
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

# A product's pair map keeps its strongest partners only: a DynamoDB item holds 400 KB,
# and partners beyond the first hundreds never reach a page of recommendations.
MAX_PAIRS = 200


class Similarity(enum.StrEnum):
    """How co-occurrence counts become a similarity between two products."""

    # co / (a + b - co): the share of baskets with either that hold both.
    JACCARD = "JACCARD"
    # co / (a * b): how much more often than chance; favours rare products.
    LIFT = "LIFT"
    # co: raw counts; favours popular products.
    COUNT = "COUNT"


class Pair(NamedTuple):
    """How often a partner was bought with a product, and how often the partner sold.

    A named tuple, not a dataclass: training makes a million of them.
    """

    together: int
    partner_occurrences: int


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """One product's co-occurrence row: its basket count and its strongest partners."""

    occurrences: int = 0
    pairs: Mapping[str, Pair] = field(default_factory=dict)


class Neighbour(NamedTuple):
    """A product bought with another, and how similar the two are."""

    product_id: str
    score: float
    together: int


def similarity(together: int, a: int, b: int, metric: Similarity = Similarity.JACCARD) -> float:
    """The similarity of two products bought ``a`` and ``b`` times, ``together`` together."""
    if together <= 0 or a <= 0 or b <= 0:
        return 0.0
    if metric is Similarity.JACCARD:
        return together / max(1, a + b - together)
    if metric is Similarity.LIFT:
        return together / (a * b)
    return float(together)


def count_baskets(
    baskets: Iterable[Collection[str]], max_pairs: int = MAX_PAIRS
) -> dict[str, ItemCounts]:
    """Every product's co-occurrence row over ``baskets`` (each a set of product ids)."""
    # Counter.update counts in C: training is dominated by this loop (a million pairs
    # for the 15,000 Instacart orders).
    occurrences: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for basket in baskets:
        items = sorted(set(basket))
        occurrences.update(items)
        together.update(itertools.combinations(items, 2))
    partners: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), n in together.items():
        partners[a].append((n, b))
        partners[b].append((n, a))
    rows: dict[str, ItemCounts] = {}
    for item, count in occurrences.items():
        strongest = heapq.nlargest(max_pairs, partners.get(item, ()))
        rows[item] = ItemCounts(
            occurrences=count,
            pairs={p: Pair(n, occurrences[p]) for n, p in strongest},
        )
    return rows


def add_basket(
    rows: Mapping[str, ItemCounts], basket: Collection[str], max_pairs: int = MAX_PAIRS
) -> dict[str, ItemCounts]:
    """The rows of ``basket``'s products after one more basket (the stream's refresh).

    ``rows`` holds the current rows of the basket's products (missing ones start empty).
    A partner's sales count is refreshed where both are in this basket; elsewhere it is
    the last one seen, at worst slightly low until the next training run recounts all.
    """
    items = sorted(set(basket))
    occurrences = {item: rows.get(item, ItemCounts()).occurrences + 1 for item in items}
    updated: dict[str, ItemCounts] = {}
    for item in items:
        pairs = dict(rows.get(item, ItemCounts()).pairs)
        for other in items:
            if other == item:
                continue
            before = pairs.get(other)
            pairs[other] = Pair((before.together if before else 0) + 1, occurrences[other])
        if len(pairs) > max_pairs:
            kept = heapq.nlargest(max_pairs, pairs.items(), key=lambda kv: (kv[1].together, kv[0]))
            pairs = dict(kept)
        updated[item] = ItemCounts(occurrences=occurrences[item], pairs=pairs)
    return updated


def neighbours(
    row: ItemCounts, k: int, metric: Similarity = Similarity.JACCARD, min_together: int = 1
) -> list[Neighbour]:
    """The ``k`` partners most similar to the row's product, best first."""
    a = row.occurrences
    scored = [
        (similarity(together, a, b, metric), together, pid)
        for pid, (together, b) in row.pairs.items()
        if together >= min_together
    ]
    return [Neighbour(pid, score, together) for score, together, pid in heapq.nlargest(k, scored)]


def decay(age: float, half_life: float) -> float:
    """The weight of an event ``age`` ago (same unit as ``half_life``): 1 now, 1/2 at one
    half-life; no decay when ``half_life`` is not positive."""
    if half_life <= 0:
        return 1.0
    return float(0.5 ** (max(0.0, age) / half_life))


@dataclass(frozen=True, slots=True)
class Purchase:
    """A shopper bought ``product_id`` at time ``at`` (seconds, days or order numbers)."""

    product_id: str
    at: float
    quantity: int = 1


def affinity(purchases: Iterable[Purchase], now: float, half_life: float) -> dict[str, float]:
    """A shopper's decayed weight per product as of ``now``.

    Each purchase counts once however many units it had: five copies in one order say
    less about taste than five orders.
    """
    weights: dict[str, float] = {}
    for purchase in purchases:
        weight = decay(now - purchase.at, half_life)
        weights[purchase.product_id] = weights.get(purchase.product_id, 0.0) + weight
    return weights


def age_affinity(
    weights: Mapping[str, float], elapsed: float, half_life: float
) -> dict[str, float]:
    """Weights kept as of one moment, carried ``elapsed`` later."""
    factor = decay(elapsed, half_life)
    return {pid: w * factor for pid, w in weights.items()}


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate's score and the seed that contributed most to it (None: buy again)."""

    product_id: str
    score: float
    because_of: str | None


@dataclass(frozen=True, slots=True)
class Weights:
    """How the two signals are blended; tuned on a validation split (bench/)."""

    # A product's own affinity (buying again), relative to the strongest seed.
    repeat: float = 1.0
    # A neighbour's score: seed affinity times similarity, relative to the strongest seed.
    neighbour: float = 1.0
    metric: Similarity = Similarity.JACCARD
    # How much neighbours also re-rank what the shopper already has (1: like any product;
    # 0: they only bring new products, and the shopper's own history orders itself).
    on_history: float = 1.0


def personal_scores(
    seeds: Mapping[str, float],
    neighbour_lists: Mapping[str, Sequence[Neighbour]],
    weights: Weights,
    *,
    repeatable: Collection[str] | None = None,
    exclude: Collection[str] = (),
) -> list[Scored]:
    """Candidates for a shopper with ``seeds`` (product -> affinity), best first.

    ``repeatable``: the seeds that may be recommended again (None: all of them; a one-off
    such as an e-book bought once is left out by the caller). ``exclude`` never appears.
    """
    if not seeds:
        return []
    top = max(seeds.values()) or 1.0
    scores: dict[str, float] = {}
    best: dict[str, tuple[float, str | None]] = {}
    for pid, weight in seeds.items():
        if pid in exclude or (repeatable is not None and pid not in repeatable):
            continue
        part = weights.repeat * weight / top
        scores[pid] = scores.get(pid, 0.0) + part
        best[pid] = (part, None)
    for seed, weight in seeds.items():
        for neighbour in neighbour_lists.get(seed, ()):
            pid = neighbour.product_id
            if pid in exclude or (
                pid in seeds and repeatable is not None and pid not in repeatable
            ):
                continue
            part = weights.neighbour * neighbour.score * weight / top
            if pid in seeds:
                part *= weights.on_history
            if part <= 0:
                continue
            scores[pid] = scores.get(pid, 0.0) + part
            if pid not in best or part > best[pid][0]:
                best[pid] = (part, seed)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Scored(pid, score, best[pid][1]) for pid, score in ranked]


def most_popular(rows: Mapping[str, ItemCounts], k: int) -> list[str]:
    """The ``k`` products in most baskets."""
    ranked = heapq.nlargest(k, rows.items(), key=lambda kv: (kv[1].occurrences, kv[0]))
    return [pid for pid, _ in ranked]
