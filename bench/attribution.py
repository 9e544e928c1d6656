"""Attribution figures: pure functions, no I/O; ``python -m bench --only attribution``.

1. fitting both data-driven models (Markov removal effects, Shapley values) on the path
   counts of 20,000 journeys of 1 to 40 touches over 8 channels, and the aggregation of
   those journeys into path counts that precedes it;
2. crediting one order of 40 touches under every model (``credit_all``) with the fitted
   weights, and under one model (time decay, the only one with a decimal step).

Median and p95 over repeated runs; the journeys are drawn from a seeded generator, so
every run fits the same population.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from commerce.attribution import (
    DIRECT,
    Model,
    PathCounts,
    Touch,
    Weights,
    credit,
    credit_all,
    fit,
)

Row = tuple[str, str, str]
CHANNELS = (
    "paid_search",
    "affiliate",
    "email",
    DIRECT,
    "organic",
    "referral",
    "social",
    "mobile_app",
)
# A channel's pull on conversion: the population is not uniform, so the fit has work to do.
LIFT = {"paid_search": 1.6, "affiliate": 1.4, "email": 1.2, "mobile_app": 1.8}
JOURNEYS = 20_000
MAX_TOUCHES = 40
CONVERTED_AT = datetime(2026, 3, 1, tzinfo=UTC)


def journeys(count: int, seed: int = 17) -> list[tuple[tuple[str, ...], bool]]:
    """``count`` channel paths of 1..40 touches, each with whether it converted."""
    rnd = random.Random(seed)
    drawn: list[tuple[tuple[str, ...], bool]] = []
    for _ in range(count):
        path = tuple(rnd.choices(CHANNELS, k=rnd.randint(1, MAX_TOUCHES)))
        odds = 0.03
        for channel in set(path):
            odds *= LIFT.get(channel, 1.0)
        drawn.append((path, rnd.random() < min(odds, 0.9)))
    return drawn


def path_counts(drawn: list[tuple[tuple[str, ...], bool]]) -> PathCounts:
    """What the journeys context keeps: journeys counted by path and outcome."""
    return PathCounts.tally(drawn)


def order_touches(rnd: random.Random) -> tuple[Touch, ...]:
    """One order's journey: 40 touches over the last 200 days."""
    return tuple(
        Touch(
            f"event-{i:02d}",
            CONVERTED_AT - timedelta(minutes=rnd.randint(0, 200 * 24 * 60)),
            rnd.choice(CHANNELS),
        )
        for i in range(MAX_TOUCHES)
    )


def _timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _median_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"{statistics.median(ordered) * 1000:.2f} ms / {p95 * 1000:.2f} ms"


def attribution_rows(fit_runs: int = 7, credit_runs: int = 300) -> list[Row]:
    """The figures as table rows: (benchmark, median / p95, notes)."""
    drawn = journeys(JOURNEYS)
    touches = sum(len(path) for path, _ in drawn)
    converted = sum(1 for _, c in drawn if c)
    counts = path_counts(drawn)
    weights: Weights = fit(counts)
    aggregate = _timed(lambda: path_counts(drawn), fit_runs)
    fitting = _timed(lambda: fit(counts), fit_runs)
    order = order_touches(random.Random(3))
    value = 12_345
    every = _timed(
        lambda: credit_all(order, value, converted_at=CONVERTED_AT, weights=weights), credit_runs
    )
    decay = _timed(
        lambda: credit(order, value, Model.TIME_DECAY, converted_at=CONVERTED_AT), credit_runs
    )
    markov = _timed(
        lambda: credit(order, value, Model.MARKOV, converted_at=CONVERTED_AT, weights=weights),
        credit_runs,
    )
    population = (
        f"{JOURNEYS:,} journeys, {touches:,} touches, {converted:,} converted, "
        f"{len(counts.conversions) + len(counts.non_conversions):,} distinct paths"
    )
    return [
        ("attribution: count journeys by path", _median_p95(aggregate), population),
        ("attribution: fit Markov + Shapley", _median_p95(fitting), "exact rationals, 8 channels"),
        ("attribution: credit one order, all 8 models", _median_p95(every), "40 touches"),
        ("attribution: credit one order, time decay", _median_p95(decay), "40 touches"),
        ("attribution: credit one order, Markov", _median_p95(markov), "40 touches"),
    ]
