"""The search over competing unit offers: exact where it can be, a flagged best effort beyond."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pricing_factories import context, line, price, promo, variants

from commerce.pricing import search
from commerce.pricing.model import Bundle, BundleComponent, Promotion, Selector


def pair(pid: str, first: str, second: str, bundle_price: int) -> Promotion:
    return promo(
        pid,
        Bundle(
            (
                BundleComponent(Selector(variant_ids=variants(first))),
                BundleComponent(Selector(variant_ids=variants(second))),
            ),
            price=bundle_price,
        ),
    )


LINES = [line("a", 1000), line("b", 1000), line("c", 1000), line("d", 1000)]
# x saves 10.00 on (a, b); y and z save 7.00 each on (a, c) and (b, d): y + z is best.
OFFERS = [pair("x", "a", "b", 1000), pair("y", "a", "c", 1300), pair("z", "b", "d", 1300)]


def test_the_exact_search_prefers_two_smaller_offers_to_one_large_one() -> None:
    cart = price(LINES, OFFERS)
    assert [a.promotion_id for a in cart.applied] == ["y", "z"]
    assert cart.total == 4000 - 1400


def test_past_its_budget_the_search_tries_the_most_expensive_units_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "SWEEP_STATES", 0)
    monkeypatch.setattr(search, "COUPLED_NODES", 0)
    monkeypatch.setattr(search, "EXACT_UNITS", 0)
    cart = price(LINES, OFFERS)
    # Each offer's most expensive units, searched over which offer: y + z (14.00).
    assert cart.total == 4000 - 1400
    assert cart.best_effort
    assert cart.best_effort_bound >= 0


def test_the_sweep_alone_takes_the_largest_gain_first_and_bounds_its_distance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "SWEEP_STATES", 0)
    monkeypatch.setattr(search, "COUPLED_NODES", 0)
    monkeypatch.setattr(search, "EXACT_UNITS", 0)
    monkeypatch.setattr(search, "RULE_UNITS", 0)
    cart = price(LINES, OFFERS)
    # x (10.00) first; the best, y + z, saves 4.00 more: within the bound.
    assert cart.total == 4000 - 1000
    assert cart.best_effort
    assert cart.best_effort_bound >= 400


def test_greedy_alone_takes_the_largest_gain_first() -> None:
    cart = price(LINES[:2], OFFERS)
    assert [a.promotion_id for a in cart.applied] == ["x"]


def test_the_chosen_offers_do_not_depend_on_the_order_of_lines_or_promotions() -> None:
    ties = [pair("p", "a", "b", 1500), pair("q", "a", "c", 1500), pair("r", "b", "c", 1500)]
    first = price(LINES, ties)
    second = price(LINES[::-1], ties[::-1])
    assert first.applied == second.applied
    assert sorted(first.lines, key=lambda ln: ln.line_id) == sorted(
        second.lines, key=lambda ln: ln.line_id
    )


def test_independent_offers_are_searched_as_separate_components() -> None:
    cart = price(
        [*LINES, line("e", 500), line("f", 500)],
        [*OFFERS, pair("w", "e", "f", 600)],
        context(),
    )
    assert cart.total == 4000 - 1400 + 600
    assert Decimal(cart.total) == cart.total
