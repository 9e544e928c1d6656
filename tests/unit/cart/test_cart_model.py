"""Cart lines and totals: pure functions over plain dataclasses."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from commerce.cart.errors import CartWarningCode
from commerce.cart.model import (
    BundleRefusal,
    Cart,
    CartLine,
    LineRequest,
    PricedLine,
    bundle_lines,
    is_cart_token,
    merge_lines,
    price_cart,
    remove_lines,
    set_quantities,
    stock_warning,
    subtotal,
)
from commerce.catalog.model import OptionValue, Product, Variant, VariantKind
from commerce.money import Currency, Money
from commerce.pricing.model import Bundle, BundleComponent, ItemKind, Match, Selector
from commerce.variant_refs import VariantRef

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def variant(variant_id: str, *prices: Money, kind: VariantKind = VariantKind.PHYSICAL) -> Variant:
    return Variant(
        id=variant_id,
        sku=f"SKU-{variant_id}",
        options=(OptionValue("Format", variant_id),),
        prices=prices,
        kind=kind,
    )


def product(product_id: str, *variants: Variant) -> Product:
    return Product(
        id=product_id,
        handle=product_id,
        title=product_id,
        description="",
        created_at=NOW,
        updated_at=NOW,
        variants=variants,
        published=True,
    )


def cart(*lines: CartLine, currency: Currency = Currency.USD) -> Cart:
    return Cart(
        id="t" * 32,
        currency=currency,
        created_at=NOW,
        updated_at=NOW,
        expires_at=NOW + timedelta(days=14),
        lines=lines,
    )


def test_adding_a_variant_twice_makes_one_line_with_the_quantities_summed() -> None:
    # given
    lines = (CartLine("a", "p1", "v1", 2),)
    # when
    merged = merge_lines(
        lines,
        [LineRequest("p1", "v2", 1), LineRequest("p1", "v1", 3), LineRequest("p1", "v2", 4)],
        lambda: "new",
    )
    # then existing lines keep their place and id; new variants follow in request order
    assert merged == (CartLine("a", "p1", "v1", 5), CartLine("new", "p1", "v2", 5))


def test_a_quantity_of_zero_removes_the_line_and_others_are_left_alone() -> None:
    lines = (CartLine("a", "p", "v1", 1), CartLine("b", "p", "v2", 2))
    assert set_quantities(lines, {"a": 0, "b": 7}) == (CartLine("b", "p", "v2", 7),)
    assert remove_lines(lines, ["b"]) == (lines[0],)


def test_lines_that_cannot_be_priced_are_flagged_and_left_out_of_the_subtotal() -> None:
    # given a dollar book, a euro-only book, and a line whose product is gone
    products = {
        "p1": product("p1", variant("v1", Money(1250, Currency.USD))),
        "p2": product("p2", variant("v2", Money(900, Currency.EUR))),
    }
    basket = cart(
        CartLine("a", "p1", "v1", 2), CartLine("b", "p2", "v2", 1), CartLine("c", "p3", "v3", 1)
    )
    # when
    priced = price_cart(basket, products)
    # then
    assert [p.warning for p in priced.lines] == [
        None,
        CartWarningCode.NOT_PRICED_IN_CURRENCY,
        CartWarningCode.MERCHANDISE_NOT_FOUND,
    ]
    assert priced.subtotal == Money(2500, Currency.USD)
    assert priced.total == priced.subtotal
    assert priced.total_quantity == 4
    assert priced.requires_shipping is True


def test_a_variant_missing_from_its_product_is_not_found() -> None:
    products = {"p1": product("p1", variant("v1", Money(100, Currency.USD)))}
    priced = price_cart(cart(CartLine("a", "p1", "gone", 1)), products)
    assert priced.lines[0].warning is CartWarningCode.MERCHANDISE_NOT_FOUND
    assert priced.lines[0].variant is None


def test_a_physical_line_needs_as_many_units_in_stock_as_its_quantity() -> None:
    book = variant("v1", Money(100, Currency.USD))
    line = PricedLine(CartLine("a", "p1", "v1", 3), product("p1", book), book, book.prices[0], None)
    assert stock_warning(line, 2) is CartWarningCode.OUT_OF_STOCK
    assert stock_warning(line, 3) is None
    assert stock_warning(line, None) is None  # not limited: digital goods


def test_a_digital_only_cart_needs_no_shipping() -> None:
    ebook = variant("v1", Money(100, Currency.USD), kind=VariantKind.DIGITAL)
    priced = price_cart(cart(CartLine("a", "p1", "v1", 1)), {"p1": product("p1", ebook)})
    assert priced.requires_shipping is False


def test_a_cart_is_expired_from_its_expiry_on() -> None:
    basket = cart()
    assert not basket.is_expired(basket.expires_at - timedelta(seconds=1))
    assert basket.is_expired(basket.expires_at)


def test_tokens_are_32_url_safe_characters() -> None:
    assert is_cart_token("aZ09-_" + "x" * 26)
    assert not is_cart_token("x" * 31)
    assert not is_cart_token("x" * 31 + "/")


# -- properties ---------------------------------------------------------------------------

prices = st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))
priced_lines = st.lists(
    st.tuples(prices, st.integers(min_value=1, max_value=99)), min_size=0, max_size=25
)


def as_priced_lines(specs: list[tuple[int | None, int]]) -> list[PricedLine]:
    lines = []
    for i, (amount, quantity) in enumerate(specs):
        book = variant(f"v{i}", *(() if amount is None else (Money(amount, Currency.USD),)))
        unit = book.price_in(Currency.USD)
        warning = None if unit is not None else CartWarningCode.NOT_PRICED_IN_CURRENCY
        lines.append(
            PricedLine(CartLine(f"l{i}", "p", book.id, quantity), None, book, unit, warning)
        )
    return lines


@given(priced_lines)
def test_the_subtotal_is_the_sum_of_the_priced_line_totals_and_never_negative(
    specs: list[tuple[int | None, int]],
) -> None:
    lines = as_priced_lines(specs)
    total = subtotal(lines, Currency.USD)
    assert total.amount == sum(ln.total.amount for ln in lines if ln.total is not None)
    assert total.amount >= 0
    assert total.currency is Currency.USD


@given(priced_lines.flatmap(lambda specs: st.tuples(st.just(specs), st.permutations(specs))))
def test_the_subtotal_does_not_depend_on_line_order(
    orders: tuple[list[tuple[int | None, int]], list[tuple[int | None, int]]],
) -> None:
    specs, shuffled_specs = orders
    lines = as_priced_lines(specs)
    shuffled = as_priced_lines(shuffled_specs)
    assert subtotal(shuffled, Currency.USD) == subtotal(lines, Currency.USD)


@given(
    st.lists(
        st.tuples(st.sampled_from(["v1", "v2", "v3"]), st.integers(min_value=1, max_value=9)),
        max_size=12,
    )
)
def test_merging_keeps_one_line_per_variant_and_every_unit(wishes: list[tuple[str, int]]) -> None:
    counter = itertools.count(1)
    merged = merge_lines(
        (), [LineRequest("p", v, q) for v, q in wishes], lambda: f"l{next(counter)}"
    )
    assert len({ln.variant_id for ln in merged}) == len(merged)
    assert sum(ln.quantity for ln in merged) == sum(q for _, q in wishes)


USD_10 = Money(1000, Currency.USD)
BOOK = product("book", variant("hardcover", USD_10), variant("paperback", USD_10))
SHELF = {"book": BOOK}


def components(*selectors: Selector) -> Bundle:
    return Bundle(tuple(BundleComponent(s) for s in selectors), price=1500)


def test_components_that_can_take_different_variants_do() -> None:
    # The second component can only be the hardcover, so the first takes the paperback.
    either = Selector(product_ids=frozenset({"book"}))
    hardcover = Selector(variant_ids=frozenset({VariantRef("book", "hardcover")}))
    assert bundle_lines(components(either, hardcover), SHELF, Currency.USD) == [
        LineRequest("book", "paperback", 1),
        LineRequest("book", "hardcover", 1),
    ]


def test_a_bundle_naming_one_variant_twice_asks_for_two() -> None:
    hardcover = Selector(variant_ids=frozenset({VariantRef("book", "hardcover")}))
    assert bundle_lines(components(hardcover, hardcover), SHELF, Currency.USD) == [
        LineRequest("book", "hardcover", 1),
        LineRequest("book", "hardcover", 1),
    ]


def test_a_component_takes_only_what_its_whole_selector_matches() -> None:
    # The book, but only digital: none of its variants is.
    digital_book = Selector(
        product_ids=frozenset({"book"}), kinds=frozenset({ItemKind.DIGITAL}), match=Match.ALL
    )
    assert bundle_lines(components(digital_book), SHELF, Currency.USD) == BundleRefusal(
        named=True, message="Bundle component 1 is not for sale in USD"
    )


def test_a_named_variant_that_is_gone_is_no_longer_for_sale() -> None:
    gone = Selector(variant_ids=frozenset({VariantRef("book", "audiobook")}))
    assert bundle_lines(components(gone), SHELF, Currency.USD) == BundleRefusal(
        named=True, message="Bundle component 1 is no longer for sale"
    )
