"""A cart's shipping, tax and total: pure arithmetic over its priced lines.

The rules (also in ``docs/storefront-guide.md``):

- Shipping is needed when any line is a physical good. Its options come from the zone of
  the shipping address's country; the shopper's choice is stored on the cart and checked
  again on every read: a choice no longer offered counts as no choice.
- Until shipping is settled (no address, no zone or rate for it, nothing chosen),
  ``shipping`` is None and the total leaves it out; ``issues`` says what is missing.
  A digital-only cart needs no shipping: ``shipping`` is 0.
- Tax follows the shipping address (a region's rate over its country's). Without an
  address tax is not known yet: every tax amount is None and the total leaves it out.
  With an address and no rate for it, tax is 0.
- Tax is computed per line and on shipping, each rounded with ``round_minor``; the cart's
  tax is the sum of those, so the parts always add up to the total exactly.
- Prices exclude tax: total = subtotal + shipping + tax. Prices include tax: total =
  subtotal + shipping, and the tax amounts show the part of those prices that is tax.
- Promotions come first (the pricing engine): every discount, order-level ones included,
  is allocated to lines, so each line has a discounted amount. Delivery options are
  priced on the discounted merchandise (a "free over 50" rate counts what the shopper
  pays), tax is computed on each discounted line amount and on shipping after its
  discount, and total = subtotal - discounts + shipping - shipping discount (+ tax).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commerce.cart.errors import CheckoutIssueCode as Issue
from commerce.money import Currency, Money
from commerce.shipping.model import DeliveryOption, ShippingZone, delivery_options
from commerce.tax.model import TaxRate, tax_on


@dataclass(frozen=True, slots=True)
class LineCharge:
    """What totals need of one line: its total (None: unpriceable) and what it weighs."""

    total: Money | None
    requires_shipping: bool
    weight_grams: int
    # The line's share of every promotion (its own and order-level ones), minor units.
    discount: int = 0


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the cart goes, as far as shipping and tax are concerned."""

    has_address: bool
    zone: ShippingZone | None
    tax_rate: TaxRate | None


NOWHERE = Destination(has_address=False, zone=None, tax_rate=None)


@dataclass(frozen=True, slots=True)
class CartTotals:
    """Everything a cart costs, with what is still missing before checkout."""

    subtotal: Money
    requires_shipping: bool
    weight_grams: int
    delivery_options: tuple[DeliveryOption, ...]
    delivery: DeliveryOption | None
    shipping: Money | None
    # Promotions on the merchandise (line and order discounts) and on shipping.
    discount: Money
    shipping_discount: Money
    line_taxes: tuple[Money | None, ...]
    shipping_tax: Money | None
    tax: Money | None
    total: Money
    taxes_included: bool
    tax_rate: TaxRate | None
    issues: tuple[Issue, ...]


def cart_totals(
    lines: Sequence[LineCharge],
    currency: Currency,
    destination: Destination,
    selected_option_id: str | None,
    *,
    prices_include_tax: bool,
    shipping_discount: int = 0,
) -> CartTotals:
    """The cart's shipping, tax and total, and what it lacks for checkout."""
    subtotal = sum((ln.total.amount for ln in lines if ln.total is not None), 0)
    discount = sum(ln.discount for ln in lines if ln.total is not None)
    requires_shipping = any(ln.requires_shipping for ln in lines)
    weight = sum(ln.weight_grams for ln in lines if ln.requires_shipping)
    issues: list[Issue] = [] if lines else [Issue.CART_EMPTY]
    options: tuple[DeliveryOption, ...] = ()
    chosen: DeliveryOption | None = None
    shipping: int | None = 0
    if requires_shipping:
        shipping = None
        if not destination.has_address:
            issues.append(Issue.SHIPPING_ADDRESS_REQUIRED)
        elif destination.zone is not None:
            options = delivery_options(
                destination.zone, currency, Money(subtotal - discount, currency), weight
            )
        if destination.has_address and not options:
            issues.append(Issue.SHIPPING_NOT_AVAILABLE)
        elif options:
            chosen = next((o for o in options if o.id == selected_option_id), None)
            if chosen is not None:
                shipping = chosen.price.amount
            elif selected_option_id is None:
                issues.append(Issue.DELIVERY_OPTION_REQUIRED)
            else:
                issues.append(Issue.DELIVERY_OPTION_UNAVAILABLE)

    rate = destination.tax_rate

    def tax(amount: int | None) -> int | None:
        if amount is None or not destination.has_address:
            return None
        if rate is None:
            return 0
        return tax_on(amount, rate.percentage, included=prices_include_tax)

    shipping_off = 0 if shipping is None else min(shipping_discount, shipping)
    line_taxes = [tax(None if ln.total is None else ln.total.amount - ln.discount) for ln in lines]
    shipping_tax = tax(None if shipping is None else shipping - shipping_off)
    total_tax: int | None = None
    if destination.has_address:
        total_tax = sum(t for t in line_taxes if t is not None) + (shipping_tax or 0)
    total = subtotal - discount + (shipping or 0) - shipping_off
    if not prices_include_tax:
        total += total_tax or 0

    def money(amount: int | None) -> Money | None:
        return None if amount is None else Money(amount, currency)

    return CartTotals(
        subtotal=Money(subtotal, currency),
        requires_shipping=requires_shipping,
        weight_grams=weight,
        delivery_options=options,
        delivery=chosen,
        shipping=money(shipping),
        discount=Money(discount, currency),
        shipping_discount=Money(shipping_off, currency),
        line_taxes=tuple(money(t) for t in line_taxes),
        shipping_tax=money(shipping_tax),
        tax=money(total_tax),
        total=Money(total, currency),
        taxes_included=prices_include_tax,
        tax_rate=rate if destination.has_address else None,
        issues=tuple(issues),
    )
