"""The search finds the lowest price: a known hard cart, and brute force on random small ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from itertools import combinations, permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pricing_factories import USD, line, price, promo

from commerce.money import Money
from commerce.pricing import search
from commerce.pricing.allocation import percent_of
from commerce.pricing.engine import apply_promotions
from commerce.pricing.matching import Matcher
from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    CartLine,
    ItemKind,
    ItemsOff,
    Match,
    MixAndMatch,
    Offer,
    Promotion,
    Selector,
    SeriesSet,
    UnitOffer,
)
from commerce.pricing.offers import Pool, UnitPlan, discount
from commerce.pricing.selectors import matches
from commerce.variant_refs import VariantRef

UNIT_KINDS = (BuyXGetY, SeriesSet, Bundle, MixAndMatch)
FANTASY = Selector(collection_ids=frozenset({"fantasy"}))


def _volume(line_id: str, number: str, cents: int, kind: ItemKind = ItemKind.PHYSICAL) -> CartLine:
    return line(
        line_id,
        cents,
        collections=("fantasy",),
        attributes=(("series", "Earthsea"), ("volume", number)),
        kind=kind,
    )


def test_the_ebook_completes_the_set_while_the_audiobooks_make_the_free_one() -> None:
    # Given a series of four in mixed formats, three audiobooks, "buy 3 get the cheapest
    # free" on the collection and 15% off the complete series
    cart_lines = [
        _volume("hardcover-1", "1", 2999),
        _volume("paperback-2", "2", 2299),
        _volume("hardcover-3", "3", 1799),
        _volume("ebook-3", "3", 699, ItemKind.DIGITAL),
        _volume("paperback-4", "4", 1999),
        *(line(f"audiobook-{k}", c, collections=("fantasy", "audio")) for k, c in
          ((1, 2199), (2, 2399), (3, 2099))),
    ]  # fmt: skip
    offers = [
        promo("b3g1", BuyXGetY(FANTASY, buy=3, noun="book"), name="Buy 3 get 1 free"),
        promo("set", SeriesSet("Earthsea", ("1", "2", "3", "4"), Decimal(15)), name="Set"),
    ]
    # When it is priced
    cart = price(cart_lines, offers)
    # Then the e-book goes to the set (15% of 29.99 + 22.99 + 6.99 + 19.99 = 11.99) and the
    # hardcover volume 3 with the three audiobooks to buy-3-get-1 (17.99 free): 134.94,
    # where taking the most expensive units for each offer gives 135.94.
    assert cart.subtotal == 16492
    assert cart.total == 13494
    assert {a.promotion_id: a.amount for a in cart.applied} == {"set": 1199, "b3g1": 1799}
    assert not cart.best_effort


# -- brute force over every assignment ---------------------------------------------------


def _legal(offer: UnitOffer, units: Sequence[CartLine]) -> bool:
    """Whether these units (one entry per unit) make one application of the offer."""
    match offer:
        case BuyXGetY(selector=selector, buy=buy, get=get):
            return len(units) == buy + get and all(matches(selector, u) for u in units)
        case MixAndMatch(selector=selector, count=count):
            return len(units) == count and all(matches(selector, u) for u in units)
        case SeriesSet(series=series, volumes=volumes):
            if len(units) != len(volumes) or not volumes:
                return False
            return any(
                all(
                    series in u.attribute_values(offer.series_attribute)
                    and v in u.attribute_values(offer.volume_attribute)
                    for u, v in zip(order, volumes, strict=True)
                )
                for order in permutations(units)
            )
        case Bundle(components=components):
            slots = [c.selector for c in components for _ in range(c.quantity)]
            if len(units) != len(slots) or not slots:
                return False
            return any(
                all(matches(s, u) for u, s in zip(order, slots, strict=True))
                for order in set(permutations(units))
            )


def _kept_out(ln: CartLine, units: int, items: Sequence[ItemsOff]) -> int:
    """What ``units`` of a line pay after the item discounts, stacked in priority order."""
    left = units * ln.unit_price.amount
    for offer in items:
        if left and units and matches(offer.selector, ln):
            cut = (
                percent_of(left, offer.percent)
                if offer.percent is not None
                else min((offer.amount or 0) * units, left)
            )
            left -= cut
    return left


def _assignments(
    units: list[int], offers: Sequence[UnitOffer], lines: Sequence[CartLine]
) -> Iterator[list[tuple[UnitOffer, list[int]]]]:
    """Every way to put units (line indices, one per unit) into applications; the rest out."""
    if not units:
        yield []
        return
    first, rest = units[0], units[1:]
    yield from _assignments(rest, offers, lines)  # the first unit stays out
    for offer in offers:
        for size in range(1, len(units) + 1):
            for others in set(combinations(rest, size - 1)):
                group = [first, *others]
                if not _legal(offer, [lines[i] for i in group]):
                    continue
                left = list(rest)
                for i in others:
                    left.remove(i)
                for tail in _assignments(left, offers, lines):
                    yield [(offer, group), *tail]


def _brute_force_total(lines: list[CartLine], promotions: list[Promotion]) -> int:
    ordered = sorted(lines, key=lambda ln: (-ln.unit_price.amount, ln.line_id))
    prices = [ln.unit_price.amount for ln in ordered]
    by_priority = sorted(promotions, key=lambda p: (-p.priority, p.id))
    candidates = [[p for p in by_priority if not p.exclusive]]
    candidates += [[p] for p in by_priority if p.exclusive]
    best = None
    for candidate in candidates:
        items = [p.offer for p in candidate if isinstance(p.offer, ItemsOff)]
        unit_offers: list[UnitOffer] = [
            p.offer for p in candidate if isinstance(p.offer, UNIT_KINDS)
        ]  # fmt: skip
        units = [i for i, ln in enumerate(ordered) for _ in range(ln.quantity)]
        for assignment in _assignments(units, unit_offers, ordered):
            used = [0] * len(ordered)
            paid = 0
            for offer, group in assignment:
                taken = tuple((i, group.count(i)) for i in sorted(set(group)))
                cut, _ = discount(offer, taken, prices)
                paid += sum(prices[i] * n for i, n in taken) - cut
                for i in group:
                    used[i] += 1
            paid += sum(_kept_out(ln, ln.quantity - used[i], items) for i, ln in enumerate(ordered))
            best = paid if best is None else min(best, paid)
    assert best is not None
    return best


COLLECTIONS = ("books", "audio")
small_selectors = st.one_of(
    st.just(Selector()),
    st.builds(Selector, collection_ids=st.frozensets(st.sampled_from(COLLECTIONS), min_size=1)),
    st.builds(Selector, product_ids=st.frozensets(st.sampled_from(("p0", "p1", "p2")), min_size=1)),
)
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
# A bundle of named variants: each part names one line, so it has one application only.
one_line_selectors = st.builds(
    Selector,
    variant_ids=st.sampled_from(range(4)).map(
        lambda i: frozenset({VariantRef(f"p{i % 3}", f"p{i % 3}-{i}")})
    ),
)


@st.composite
def small_carts(draw: st.DrawFn) -> list[CartLine]:
    quantities = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    while sum(quantities) > 8:
        quantities.pop()
    return [
        CartLine(
            line_id=f"l{i}",
            product_id=f"p{i % 3}",
            variant_id=f"p{i % 3}-{i}",
            quantity=q,
            unit_price=Money(draw(st.integers(0, 5000)), USD),
            collection_ids=frozenset(draw(st.sets(st.sampled_from(COLLECTIONS)))),
            attributes=frozenset({("series", "S"), ("volume", str(draw(st.integers(1, 3))))}),
        )
        for i, q in enumerate(quantities)
    ]


@st.composite
def competing_offers(draw: st.DrawFn) -> Offer:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        if draw(st.booleans()):
            return ItemsOff(draw(small_selectors), percent=draw(percents))
        return ItemsOff(draw(small_selectors), amount=draw(st.integers(1, 3000)))
    if kind == 1:
        return BuyXGetY(
            draw(small_selectors), buy=draw(st.integers(1, 3)), get=draw(st.integers(1, 2)),
            percent=draw(percents),
        )  # fmt: skip
    if kind == 2:
        return SeriesSet("S", ("1", "2", "3")[: draw(st.integers(1, 3))], draw(percents))
    if kind == 3:
        chosen = draw(st.sampled_from((small_selectors, one_line_selectors)))
        component = st.builds(BundleComponent, chosen, st.integers(1, 2))
        parts = tuple(draw(st.lists(component, min_size=1, max_size=3)))
        if draw(st.booleans()):
            return Bundle(parts, price=draw(st.integers(0, 8000)))
        return Bundle(parts, percent=draw(percents))
    count = draw(st.integers(1, 4))
    return MixAndMatch(draw(small_selectors), count=count, price=draw(st.integers(0, 8000)))


@st.composite
def competing_promotions(draw: st.DrawFn) -> list[Promotion]:
    found = draw(st.lists(competing_offers(), min_size=1, max_size=4))
    return [
        promo(
            f"promo{i}",
            offer,
            priority=draw(st.integers(0, 2)),
            exclusive=draw(st.integers(0, 4)) == 0,
        )
        for i, offer in enumerate(found)
    ]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(small_carts(), competing_promotions())
def test_the_engine_finds_the_lowest_total_of_every_assignment(
    lines: list[CartLine], promotions: list[Promotion]
) -> None:
    cart = price(lines, promotions)
    assert not cart.best_effort
    assert cart.total == _brute_force_total(lines, promotions)


@st.composite
def named_bundles(draw: st.DrawFn) -> Offer:
    """Bundles whose parts each name one variant, overlapping on the cart's lines."""
    component = st.builds(BundleComponent, one_line_selectors, st.integers(1, 2))
    parts = tuple(draw(st.lists(component, min_size=1, max_size=3)))
    if draw(st.booleans()):
        return Bundle(parts, price=draw(st.integers(0, 8000)))
    return Bundle(parts, percent=draw(percents))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(small_carts(), st.lists(named_bundles(), min_size=1, max_size=5))
def test_overlapping_bundles_of_named_variants_are_priced_to_the_cent(
    lines: list[CartLine], offers: list[Offer]
) -> None:
    promotions = [promo(f"bundle{i}", offer, priority=i % 2) for i, offer in enumerate(offers)]
    cart = price(lines, promotions)
    assert not cart.best_effort
    assert cart.total == _brute_force_total(lines, promotions)


# -- past the exact search's budget ------------------------------------------------------


def test_past_the_budget_the_price_says_it_is_a_best_effort_and_how_far_it_can_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cart_lines = [line(f"l{k}", 1000 + 100 * k, 2) for k in range(3)]
    offers = [
        promo("b2g1", BuyXGetY(Selector(), buy=2)),
        promo("any3", MixAndMatch(Selector(), count=3, price=2500)),
    ]
    exact = price(cart_lines, offers)
    monkeypatch.setattr(search, "SWEEP_STATES", 0)
    monkeypatch.setattr(search, "COUPLED_NODES", 0)
    monkeypatch.setattr(search, "EXACT_UNITS", 0)
    monkeypatch.setattr(search, "RULE_UNITS", 0)
    rough = price(cart_lines, offers)
    assert not exact.best_effort
    assert exact.best_effort_bound == 0
    assert rough.best_effort
    assert exact.total <= rough.total <= exact.total + rough.best_effort_bound


# -- the selector index agrees with the selectors --------------------------------------


selectors = st.recursive(
    st.builds(
        Selector,
        product_ids=st.frozensets(st.sampled_from(("p0", "p1", "p2", "p9"))),
        # Pairs as selectors hold them; the last names line 0's variant under another product.
        variant_ids=st.frozensets(
            st.sampled_from(
                (VariantRef("p0", "p0-0"), VariantRef("p1", "p1-1"), VariantRef("p1", "p0-0"))
            )
        ),
        collection_ids=st.frozensets(st.sampled_from((*COLLECTIONS, "none"))),
        attributes=st.frozensets(
            st.tuples(st.sampled_from(("series", "volume")), st.sampled_from(("S", "1", "2")))
        ),
        tags=st.frozensets(st.sampled_from(("sale", "new"))),
        kinds=st.frozensets(st.sampled_from(ItemKind)),
        match=st.sampled_from(Match),
    ),
    lambda children: st.builds(
        Selector, children=st.lists(children, max_size=3).map(tuple), match=st.sampled_from(Match)
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(small_carts(), selectors)
def test_the_selector_index_matches_the_lines_the_selector_matches(
    lines: list[CartLine], selector: Selector
) -> None:
    matcher = Matcher(lines)
    assert matcher.lines_of(selector) == {ln.line_id for ln in lines if matches(selector, ln)}


# -- the sweep: fixed prices and buy X get one, remembered in short ---------------------


@st.composite
def sweep_offers(draw: st.DrawFn) -> Offer:
    """Offers the sweep prices (fixed prices, buy X get one) and item discounts beside."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return ItemsOff(draw(small_selectors), percent=draw(percents))
    if kind == 1:
        return BuyXGetY(draw(small_selectors), buy=draw(st.integers(1, 3)), percent=draw(percents))
    if kind == 2:
        component = st.builds(BundleComponent, small_selectors, st.integers(1, 2))
        parts = tuple(draw(st.lists(component, min_size=1, max_size=3)))
        return Bundle(parts, price=draw(st.integers(0, 8000)))
    count = draw(st.integers(1, 4))
    return MixAndMatch(draw(small_selectors), count=count, price=draw(st.integers(0, 8000)))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(small_carts(), st.lists(sweep_offers(), min_size=1, max_size=4))
def test_the_sweep_finds_the_lowest_total_of_every_assignment(
    lines: list[CartLine], offers: list[Offer]
) -> None:
    promotions = [promo(f"promo{i}", offer, priority=i % 2) for i, offer in enumerate(offers)]
    cart = price(lines, promotions)
    assert not cart.best_effort
    assert cart.total == _brute_force_total(lines, promotions)


def test_a_hundred_units_under_three_competing_multi_buys_are_priced_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given 40 lines (100 units) of one collection under buy 3 get 1, buy 2 get 1 at half
    # price and any 3 for 30.00: far past what enumerating applications takes on
    cart_lines = [line(f"l{k:02d}", 700 + 97 * k % 2900, 3 if k % 2 else 2) for k in range(40)]
    assert sum(ln.quantity for ln in cart_lines) == 100
    offers = [
        promo("b3g1", BuyXGetY(Selector(), buy=3)),
        promo("b2g1", BuyXGetY(Selector(), buy=2, percent=Decimal(50))),
        promo("any3", MixAndMatch(Selector(), count=3, price=3000)),
    ]
    # When it is priced, and priced again with the sweep turned off
    cart = price(cart_lines, offers)
    monkeypatch.setattr(search, "SWEEP_STATES", 0)
    monkeypatch.setattr(search, "COUPLED_NODES", 0)
    rough = price(cart_lines, offers)
    # Then the first is exact, and no worse than the best effort the engine falls back to
    assert not cart.best_effort
    assert cart.best_effort_bound == 0
    assert rough.best_effort
    assert rough.total - rough.best_effort_bound <= cart.total <= rough.total


# -- the coupled search: bundles of named variants linking parts searched exactly -------


def _refusing_linked_components(
    exactly: Callable[..., search.Solution | None],
) -> Callable[..., search.Solution | None]:
    """``search._exactly`` that leaves every component holding a bundle of named variants
    beside other offers to the coupled search (small ones would be swept or enumerated)."""

    def refuse(offers: Sequence[search._Local], *args: object) -> search.Solution | None:
        if len(offers) > 1 and any(offer.single is not None for offer in offers):
            return None
        return exactly(offers, *args)

    return refuse


@st.composite
def linked_offers(draw: st.DrawFn) -> list[Offer]:
    """Offers the sweep prices, and bundles of named variants linking their lines."""
    shelf = draw(st.lists(sweep_offers(), min_size=1, max_size=3))
    bundles = draw(st.lists(named_bundles(), min_size=1, max_size=2))
    return [*shelf, *bundles]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(small_carts(), linked_offers())
def test_the_coupled_search_finds_the_lowest_total_of_every_assignment(
    lines: list[CartLine], offers: list[Offer]
) -> None:
    promotions = [promo(f"promo{i}", offer, priority=i % 2) for i, offer in enumerate(offers)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "_exactly", _refusing_linked_components(search._exactly))
        cart = price(lines, promotions)
    assert not cart.best_effort
    assert cart.total == _brute_force_total(lines, promotions)


def test_a_bundle_linking_two_shelves_is_weighed_against_both_multi_buys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given buy 2 get 1 free on books, any 2 audiobooks for 20.00, and the hardcover with
    # its audiobook for 30.00
    cart_lines = [
        line("hardcover", 2500, product="p1", variant="v1"),
        line("paperback", 1500, 2),
        line("audiobook", 1800, product="p2", variant="v2", collections=("audio",)),
        line("audio-2", 1400, collections=("audio",)),
    ]
    books = Selector(collection_ids=frozenset({"books"}))
    audio = Selector(collection_ids=frozenset({"audio"}))
    named = [Selector(variant_ids=frozenset({VariantRef(f"p{k}", f"v{k}")})) for k in (1, 2)]
    offers = [
        promo("b2g1", BuyXGetY(books, buy=2)),
        promo("any2", MixAndMatch(audio, count=2, price=2000)),
        promo("pair", Bundle(tuple(BundleComponent(s) for s in named), price=3000)),
    ]
    runs: list[bool] = []
    coupled = search._Coupled.run

    def spy(self: search._Coupled) -> search.Solution | None:
        found = coupled(self)
        runs.append(found is not None and found.exact)
        return found

    monkeypatch.setattr(search._Coupled, "run", spy)
    monkeypatch.setattr(search, "_exactly", _refusing_linked_components(search._exactly))
    # When it is priced
    cart = price(cart_lines, offers)
    # Then the coupled search priced it, exactly: the paperbacks and the hardcover make the
    # free book (15.00), the audiobooks their pair (12.00 off), the bundle loses (10.00 off)
    assert runs == [True]
    assert not cart.best_effort
    assert cart.total == _brute_force_total(cart_lines, offers) == 8700 - 1500 - 1200


@st.composite
def rival_offers(draw: st.DrawFn) -> Offer:
    """Offers of the same kind on the same units, one often beating another."""
    selector = draw(st.sampled_from((Selector(), Selector(collection_ids=frozenset({"books"})))))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return BuyXGetY(
            selector, buy=draw(st.integers(1, 3)), get=draw(st.integers(1, 2)),
            percent=draw(st.sampled_from((Decimal(50), Decimal(100)))),
        )  # fmt: skip
    if kind == 1:
        return MixAndMatch(
            selector, count=draw(st.integers(2, 3)), price=draw(st.integers(0, 6000))
        )
    return SeriesSet("S", ("1", "2"), draw(st.sampled_from((Decimal(10), Decimal(25)))))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    small_carts(),
    st.lists(rival_offers(), min_size=2, max_size=4),
    st.lists(st.builds(ItemsOff, small_selectors, percent=percents), max_size=1),
)
def test_offers_another_always_beats_are_dropped_without_changing_the_lowest_total(
    lines: list[CartLine], offers: list[Offer], items: list[ItemsOff]
) -> None:
    promotions = [promo(f"promo{i}", o, priority=i % 2) for i, o in enumerate([*offers, *items])]
    cart = price(lines, promotions)
    assert not cart.best_effort
    assert cart.total == _brute_force_total(lines, promotions)


def test_a_multi_buy_needing_more_units_for_the_same_gift_is_beaten() -> None:
    # Given buy 3 get 1 free and buy 2 get 1 free on the same shelf, and two prices of
    # "any 3" on it
    cart_lines = [line(f"l{k}", 1000 + 100 * k, 2) for k in range(3)]
    match = Matcher(cart_lines)
    pool = Pool.of(match)
    books = Selector(collection_ids=frozenset({"books"}))
    plans = [
        UnitPlan(pid, offer, pool, match)
        for pid, offer in (
            ("b3g1", BuyXGetY(books, buy=3)),
            ("any3-dear", MixAndMatch(books, count=3, price=2500)),
            ("b2g1", BuyXGetY(books, buy=2)),
            ("any3", MixAndMatch(books, count=3, price=2400)),
            ("b2g1-half", BuyXGetY(books, buy=2, percent=Decimal(50))),
        )
    ]
    counts = [ln.quantity for ln in pool.lines]
    kept = {i: tuple(n * p for n in range(counts[i] + 1)) for i, p in enumerate(pool.prices)}
    # When the search drops the offers another always beats
    left = search._undominated(plans, counts, kept)
    # Then buy 2 get 1 free and the cheaper "any 3" are left
    assert [plan.promotion_id for plan in left] == ["b2g1", "any3"]


def test_the_big_cart_is_exact_given_the_budget_and_a_bounded_best_effort_within_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the bench's 100 lines under 200 live promotions: 57 unit offers in one component
    # (multi-buys on eight shelves, bundles of named variants linking them)
    from bench.pricing import large_cart

    lines, promotions, context, codes = large_cart()
    # When it is priced within the coupled search's budget, without it, and with no limit
    within = apply_promotions(lines, context, promotions, codes)
    monkeypatch.setattr(search, "COUPLED_NODES", 0)
    greedy = apply_promotions(lines, context, promotions, codes)
    monkeypatch.setattr(search, "COUPLED_NODES", 10**6)
    monkeypatch.setattr(search, "COUPLED_SOLVES", 10**6)
    exact = apply_promotions(lines, context, promotions, codes)
    # Then the unlimited search is exact, and each best effort lies within its bound of it,
    # the budgeted one no dearer than the greedy pass and closer to the lowest
    assert not exact.best_effort
    assert exact.best_effort_bound == 0
    for rough in (within, greedy):
        assert rough.best_effort
        assert exact.total <= rough.total <= exact.total + rough.best_effort_bound
    assert within.total <= greedy.total
    assert within.best_effort_bound < greedy.best_effort_bound
