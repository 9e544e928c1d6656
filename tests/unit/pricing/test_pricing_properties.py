"""Properties of every pricing, over generated carts and promotions (Hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st
from pricing_factories import USD, context, price

from commerce.money import Money
from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    CartLine,
    FreeShipping,
    ItemsOff,
    MixAndMatch,
    Offer,
    OrderOff,
    PricedCart,
    Promotion,
    Selector,
    SeriesSet,
    Tier,
    TieredOff,
)

COLLECTIONS = ("books", "audio", "comics")
PRODUCTS = tuple(f"p{i}" for i in range(6))
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
amounts = st.integers(min_value=1, max_value=5000)


@st.composite
def carts(draw: st.DrawFn, max_lines: int = 8) -> list[CartLine]:
    count = draw(st.integers(1, max_lines))
    lines = []
    for i in range(count):
        product = draw(st.sampled_from(PRODUCTS))
        lines.append(
            CartLine(
                line_id=f"l{i}",
                product_id=product,
                variant_id=f"{product}-{draw(st.integers(0, 1))}",
                quantity=draw(st.integers(1, 4)),
                unit_price=Money(draw(st.integers(0, 5000)), USD),
                collection_ids=frozenset(draw(st.sets(st.sampled_from(COLLECTIONS)))),
                attributes=frozenset(
                    {("series", "S"), ("volume", str(draw(st.integers(1, 3))))}
                    if draw(st.booleans())
                    else set()
                ),
            )
        )
    return lines


selectors = st.one_of(
    st.just(Selector()),
    st.builds(Selector, collection_ids=st.frozensets(st.sampled_from(COLLECTIONS), min_size=1)),
    st.builds(Selector, product_ids=st.frozensets(st.sampled_from(PRODUCTS), min_size=1)),
)


def _off(draw: st.DrawFn) -> dict[str, object]:
    if draw(st.booleans()):
        return {"percent": draw(percents)}
    return {"amount": draw(amounts)}


@st.composite
def offers(draw: st.DrawFn) -> Offer:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return ItemsOff(draw(selectors), **_off(draw))  # type: ignore[arg-type]
    if kind == 1:
        return OrderOff(
            **_off(draw),  # type: ignore[arg-type]
            min_subtotal=draw(st.integers(0, 10000)),
            min_quantity=draw(st.integers(0, 5)),
            selector=draw(selectors),
        )
    if kind == 2:
        return TieredOff(
            (
                Tier(draw(st.integers(0, 5000)), **_off(draw)),
                Tier(draw(st.integers(0, 20000)), **_off(draw)),
            )  # type: ignore[arg-type]
        )
    if kind == 3:
        return BuyXGetY(
            draw(selectors), buy=draw(st.integers(1, 3)), get=draw(st.integers(1, 2)),
            percent=draw(percents),
        )  # fmt: skip
    if kind == 4:
        return SeriesSet("S", ("1", "2", "3")[: draw(st.integers(1, 3))], draw(percents))
    if kind == 5:
        component = st.builds(BundleComponent, selectors, st.integers(1, 2))
        parts = draw(st.lists(component, min_size=1, max_size=3))
        if draw(st.booleans()):
            return Bundle(tuple(parts), price=draw(st.integers(0, 8000)))
        return Bundle(tuple(parts), percent=draw(percents))
    if kind == 6:
        count = draw(st.integers(1, 4))
        return MixAndMatch(draw(selectors), count=count, price=draw(st.integers(0, 8000)))
    return FreeShipping(min_subtotal=draw(st.integers(0, 10000)))


@st.composite
def promotion_sets(draw: st.DrawFn, max_size: int = 6) -> list[Promotion]:
    found = draw(st.lists(offers(), max_size=max_size))
    return [
        Promotion(
            id=f"promo{i}",
            name=f"Promotion {i}",
            offer=offer,
            priority=draw(st.integers(0, 3)),
            exclusive=draw(st.booleans()) and draw(st.booleans()),
            currency=USD,
        )
        for i, offer in enumerate(found)
    ]


shipping = st.one_of(st.none(), st.integers(0, 2000))


def _check_arithmetic(cart: PricedCart) -> None:
    """Totals add up, in whole minor units, with no discount above what it applies to."""
    every: list[int] = [cart.total, cart.subtotal, cart.line_discounts, cart.merchandise_total]
    for ln in cart.lines:
        own = sum(d.amount for d in ln.discounts)
        shares = sum(d.amount for d in ln.order_discounts)
        assert 0 <= own + shares <= ln.subtotal
        assert ln.total == ln.subtotal - own - shares >= 0
        every += [d.amount for d in (*ln.discounts, *ln.order_discounts)]
    for order in cart.order_discounts:
        parts = [
            d.amount
            for ln in cart.lines
            for d in ln.order_discounts
            if d.promotion_id == order.promotion_id
        ]
        assert sum(parts) == order.amount
    shipping_paid = cart.shipping or 0
    if cart.shipping_discount is not None:
        assert 0 < cart.shipping_discount.amount <= shipping_paid
        shipping_paid -= cart.shipping_discount.amount
    assert cart.merchandise_total == sum(ln.total for ln in cart.lines)
    assert cart.total == cart.merchandise_total + shipping_paid >= 0
    for applied in cart.applied:
        on_lines = sum(
            d.amount
            for ln in cart.lines
            for d in (*ln.discounts, *ln.order_discounts)
            if d.promotion_id == applied.promotion_id
        )
        on_shipping = (
            cart.shipping_discount.amount
            if cart.shipping_discount
            and cart.shipping_discount.promotion_id == applied.promotion_id
            else 0
        )
        assert applied.amount == on_lines + on_shipping > 0
    assert all(type(x) is int for x in every)
    assert cart.total <= cart.subtotal + (cart.shipping or 0)


@settings(max_examples=300, deadline=None)
@given(carts(), promotion_sets(), shipping)
def test_totals_add_up_never_negative_and_no_discount_exceeds_its_base(
    lines: list[CartLine], promotions: list[Promotion], ship: int | None
) -> None:
    _check_arithmetic(price(lines, promotions, context(shipping=ship)))


@settings(max_examples=200, deadline=None)
@given(carts(), promotion_sets(), shipping, st.randoms(use_true_random=False))
def test_the_order_of_lines_and_promotions_does_not_change_the_price(
    lines: list[CartLine], promotions: list[Promotion], ship: int | None, rnd: Random
) -> None:
    first = price(lines, promotions, context(shipping=ship))
    shuffled_lines, shuffled_promotions = list(lines), list(promotions)
    rnd.shuffle(shuffled_lines)
    rnd.shuffle(shuffled_promotions)
    second = price(shuffled_lines, shuffled_promotions, context(shipping=ship))
    assert second.total == first.total
    assert second.applied == first.applied
    assert sorted(second.lines, key=lambda ln: ln.line_id) == sorted(
        first.lines, key=lambda ln: ln.line_id
    )
    assert second.near_misses == first.near_misses


@settings(max_examples=200, deadline=None)
@given(carts(), promotion_sets(), shipping)
def test_an_exclusive_promotion_is_never_combined(
    lines: list[CartLine], promotions: list[Promotion], ship: int | None
) -> None:
    cart = price(lines, promotions, context(shipping=ship))
    exclusive = {p.id for p in promotions if p.exclusive}
    applied = {a.promotion_id for a in cart.applied}
    assert not (applied & exclusive) or len(applied) == 1


combinable_percentages = st.lists(
    st.one_of(
        st.builds(ItemsOff, selectors, percent=percents),
        st.builds(OrderOff, percent=percents, selector=selectors),
    ),
    max_size=5,
).map(
    lambda found: [
        Promotion(f"promo{i}", f"Promotion {i}", o, priority=i % 3, currency=USD)
        for i, o in enumerate(found)
    ]
)


@settings(max_examples=300, deadline=None)
@given(carts(), combinable_percentages, st.data())
def test_adding_an_item_under_percentage_promotions_never_costs_more_than_its_price(
    lines: list[CartLine], promotions: list[Promotion], data: st.DataObject
) -> None:
    before = price(lines, promotions)
    grown = data.draw(st.sampled_from(lines))
    extra = data.draw(st.integers(1, 3))
    bigger = [replace(ln, quantity=ln.quantity + extra) if ln is grown else ln for ln in lines]
    after = price(bigger, promotions)
    # Never more than the added units' price. Each discount is rounded to the minor unit
    # once (half-even), so when an added unit's price after discounts is below one minor
    # unit, the total may come out lower by at most one unit per promotion, never more.
    rounding = len(promotions)
    assert before.total - rounding <= after.total <= before.total + extra * grown.unit_price.amount
    saved_before = before.subtotal - before.total
    assert after.subtotal - after.total >= saved_before


@settings(max_examples=200, deadline=None)
@given(carts(), promotion_sets(max_size=4), shipping)
def test_the_price_is_never_above_any_single_promotion_alone(
    lines: list[CartLine], promotions: list[Promotion], ship: int | None
) -> None:
    best = price(lines, promotions, context(shipping=ship))
    for promotion in promotions:
        alone = price(lines, [promotion], context(shipping=ship))
        assert best.total <= alone.total
