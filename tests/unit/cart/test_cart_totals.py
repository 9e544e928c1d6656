"""A cart's shipping, tax and total: the parts always add up to the total, exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from commerce.cart.errors import CheckoutIssueCode as Issue
from commerce.cart.totals import NOWHERE, CartTotals, Destination, LineCharge, cart_totals
from commerce.money import Currency, Money
from commerce.shipping.model import RateKind, ShippingRate, ShippingZone
from commerce.tax.model import TaxRate

USD = Currency.USD


def usd(amount: int) -> Money:
    return Money(amount, USD)


BOOK = LineCharge(usd(1000), requires_shipping=True, weight_grams=400)
EBOOK = LineCharge(usd(500), requires_shipping=False, weight_grams=0)
STANDARD = ShippingRate("std", "Standard", RateKind.FLAT, prices=(usd(499),))
ZONE = ShippingZone("z", "Home", ("GB",), (STANDARD,))
VAT = TaxRate("GB", "", Decimal(20))
HOME = Destination(has_address=True, zone=ZONE, tax_rate=VAT)


def totals(
    lines: list[LineCharge],
    destination: Destination = HOME,
    chosen: str | None = "std",
    *,
    included: bool = False,
) -> CartTotals:
    return cart_totals(lines, USD, destination, chosen, prices_include_tax=included)


def test_a_digital_only_cart_needs_no_address_and_ships_for_nothing() -> None:
    result = totals([EBOOK], NOWHERE, None)
    assert (result.requires_shipping, result.shipping, result.issues) == (False, usd(0), ())
    assert result.delivery_options == ()
    assert result.tax is None
    assert result.total == usd(500)


def test_a_physical_cart_without_an_address_lacks_one_and_knows_no_tax() -> None:
    result = totals([BOOK], NOWHERE, None)
    assert result.issues == (Issue.SHIPPING_ADDRESS_REQUIRED,)
    assert (result.shipping, result.tax, result.line_taxes) == (None, None, (None,))
    assert result.total == usd(1000)


def test_an_address_outside_every_zone_cannot_be_shipped_to() -> None:
    result = totals([BOOK], Destination(True, None, None), None)
    assert result.issues == (Issue.SHIPPING_NOT_AVAILABLE,)
    assert result.tax == usd(0)


def test_an_option_must_be_chosen_and_still_be_offered() -> None:
    assert totals([BOOK], chosen=None).issues == (Issue.DELIVERY_OPTION_REQUIRED,)
    gone = totals([BOOK], chosen="express")
    assert gone.issues == (Issue.DELIVERY_OPTION_UNAVAILABLE,)
    assert (gone.delivery, gone.shipping) == (None, None)


def test_tax_is_added_per_line_and_on_shipping_when_prices_exclude_it() -> None:
    result = totals([BOOK, EBOOK])
    assert result.line_taxes == (usd(200), usd(100))
    assert result.shipping_tax == usd(100)  # 499 x 20 % = 99.8
    assert result.tax == usd(400)
    assert result.total == usd(1500 + 499 + 400)


def test_tax_is_the_part_of_the_price_when_prices_include_it() -> None:
    result = totals([BOOK], included=True)
    assert result.line_taxes == (usd(167),)  # 1000 / 6 = 166.67
    assert result.shipping_tax == usd(83)  # 499 / 6 = 83.17
    assert result.total == usd(1499)


def test_weight_counts_physical_lines_only() -> None:
    assert totals([BOOK, BOOK, EBOOK]).weight_grams == 800


def test_an_empty_cart_is_not_ready() -> None:
    assert totals([], NOWHERE, None).issues == (Issue.CART_EMPTY,)


lines_strategy = st.lists(
    st.builds(
        LineCharge,
        total=st.one_of(st.none(), st.integers(0, 10**11).map(usd)),
        requires_shipping=st.booleans(),
        weight_grams=st.integers(0, 50_000),
    ),
    max_size=25,
)
rates = st.decimals(0, 100, places=4, allow_nan=False, allow_infinity=False)


@given(
    lines=lines_strategy,
    shipping=st.integers(0, 10**9),
    rate=st.one_of(st.none(), rates),
    has_address=st.booleans(),
    chosen=st.sampled_from([None, "std", "gone"]),
    included=st.booleans(),
)
def test_the_total_is_exactly_the_sum_of_its_parts_and_never_negative(
    *,
    lines: list[LineCharge],
    shipping: int,
    rate: Decimal | None,
    has_address: bool,
    chosen: str | None,
    included: bool,
) -> None:
    rate_offered = ShippingRate("std", "S", RateKind.FLAT, (usd(shipping),))
    zone = ShippingZone("z", "Z", ("GB",), (rate_offered,))
    tax_rate = None if rate is None else TaxRate("GB", "", rate)
    result = totals(lines, Destination(has_address, zone, tax_rate), chosen, included=included)

    line_taxes = [t.amount for t in result.line_taxes if t is not None]
    shipping_amount = 0 if result.shipping is None else result.shipping.amount
    shipping_tax = 0 if result.shipping_tax is None else result.shipping_tax.amount
    tax = 0 if result.tax is None else result.tax.amount
    assert tax == sum(line_taxes) + shipping_tax
    expected = result.subtotal.amount + shipping_amount + (0 if included else tax)
    assert result.total.amount == expected
    assert min(result.total.amount, tax, shipping_amount, result.subtotal.amount) >= 0
    for line, line_tax in zip(lines, result.line_taxes, strict=True):
        if line_tax is not None:
            assert line.total is not None
            assert 0 <= line_tax.amount <= line.total.amount
    assert shipping_tax <= shipping_amount
    if included:
        assert tax <= result.total.amount


def test_tax_is_on_the_discounted_lines_and_shipping_after_its_discount() -> None:
    discounted = LineCharge(usd(1000), requires_shipping=True, weight_grams=400, discount=250)
    result = cart_totals(
        [discounted, EBOOK], USD, HOME, "std", prices_include_tax=False, shipping_discount=200
    )
    assert result.subtotal == usd(1500)
    assert result.discount == usd(250)
    assert result.shipping == usd(499)
    assert result.shipping_discount == usd(200)
    # 20 % of 7.50, of 5.00 and of 2.99 (4.99 less 2.00): 1.50 + 1.00 + 0.598 -> 0.60
    assert result.line_taxes == (usd(150), usd(100))
    assert result.shipping_tax == usd(60)
    assert result.total == usd(1500 - 250 + 499 - 200 + 150 + 100 + 60)


def test_a_shipping_discount_never_exceeds_shipping() -> None:
    result = cart_totals([BOOK], USD, HOME, "std", prices_include_tax=True, shipping_discount=999)
    assert result.shipping_discount == usd(499)
    assert result.shipping_tax == usd(0)
    assert result.total == usd(1000)
