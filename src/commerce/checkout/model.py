"""From a priced cart to an order: what checkout checks and what the order copies.

Pure: the cart as priced now goes in, problems or an ``Order`` come out. The order
snapshots every line (title, SKU, unit price, tax) so a later catalog change never
alters what was bought.
"""

from __future__ import annotations

import string
from datetime import datetime

from commerce.cart.model import PricedCart, cart_digest
from commerce.checkout.errors import CheckoutErrorCode as Code
from commerce.money import Money
from commerce.orders.model import (
    Delivery,
    Discount,
    Order,
    OrderLine,
    OrderStatus,
    PostalAddress,
    StatusChange,
    StockState,
    token_digest,
)
from commerce.pricing.model import CodeRefusal
from commerce.principals import Shopper
from commerce.problems import Problem

digest = token_digest

MAX_KEY_LENGTH = 255
_KEY_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_.:")


def check_idempotency_key(key: str) -> list[Problem]:
    """1 to 255 characters of letters, digits and ``-_.:`` (a UUID fits)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not set(key) <= _KEY_ALPHABET:
        return [
            Problem(
                Code.INVALID_IDEMPOTENCY_KEY,
                f"Give 1 to {MAX_KEY_LENGTH} letters, digits or -_.: (a UUID works)",
                ("idempotencyKey",),
            )
        ]
    return []


def checkout_problems(priced: PricedCart) -> list[Problem]:
    """Everything that stops this cart from being bought now (all at once)."""
    problems: list[Problem] = [
        Problem(_code(issue.value), _ISSUE_MESSAGES.get(issue.value, issue.value), ("cartId",))
        for issue in priced.totals.issues
    ]
    for i, line in enumerate(priced.lines):
        if line.warning is not None:
            message = _WARNING_MESSAGES.get(line.warning.value, line.warning.value)
            problems.append(Problem(_code(line.warning.value), message, ("lines", str(i))))
    if priced.promotions is not None:
        for refused in priced.promotions.refused_codes:
            code = _CODE_REFUSALS.get(refused.reason)
            if code is not None:
                problems.append(Problem(code, refused.message, ("discountCodes",)))
    if priced.cart.buyer_identity.email is None:
        problems.append(
            Problem(
                Code.EMAIL_REQUIRED,
                "Give the buyer's email (cartBuyerIdentityUpdate): receipts go there",
                ("cartId",),
            )
        )
    return problems


# A code that can no longer be honoured (it was used up or ran out meanwhile) stops
# checkout, so the shopper never pays full price believing a code applied; a code that
# merely does not help this cart (minimum, other items, a better offer) does not.
_CODE_REFUSALS = {
    CodeRefusal.USED_UP: Code.DISCOUNT_CODE_USED_UP,
    CodeRefusal.EXPIRED: Code.DISCOUNT_CODE_EXPIRED,
}


def _code(name: str) -> Code:
    """The checkout code named like a cart issue or warning (a new one maps to CART_NOT_READY)."""
    return Code.__members__.get(name, Code.CART_NOT_READY)


_ISSUE_MESSAGES = {
    "CART_EMPTY": "The cart is empty",
    "SHIPPING_ADDRESS_REQUIRED": "Physical goods need a shipping address",
    "SHIPPING_NOT_AVAILABLE": "We do not ship to this address",
    "DELIVERY_OPTION_REQUIRED": "Choose a delivery option",
    "DELIVERY_OPTION_UNAVAILABLE": "The chosen delivery option is no longer offered",
}
_WARNING_MESSAGES = {
    "MERCHANDISE_NOT_FOUND": "This item is no longer for sale; remove it",
    "NOT_PRICED_IN_CURRENCY": "This item has no price in the cart's currency",
    "OUT_OF_STOCK": "Not enough in stock",
}


def order_from_cart(
    priced: PricedCart,
    *,
    order_id: str,
    number: int,
    now: datetime,
    reserved_until: datetime,
    shopper: Shopper,
    access_digest: str | None,
    visitor_id: str | None = None,
) -> Order:
    """The order a checkable cart becomes: snapshots, totals, AWAITING_PAYMENT."""
    cart, totals = priced.cart, priced.totals
    lines = []
    currency = cart.currency
    for priced_line, tax in zip(priced.lines, totals.line_taxes, strict=True):
        product, variant, unit, total = (
            priced_line.product,
            priced_line.variant,
            priced_line.unit_price,
            priced_line.total,
        )
        assert product is not None
        assert variant is not None
        assert unit is not None
        assert total is not None
        engine_line = priced.line_pricing(priced_line.line.id)
        discounts = (
            ()
            if engine_line is None
            else tuple(
                Discount(
                    d.text,
                    Money(d.amount, currency),
                    d.promotion_id,
                    priced.code_for(d.promotion_id),
                )
                for d in (*engine_line.discounts, *engine_line.order_discounts)
            )
        )
        saved = sum(d.amount.amount for d in discounts)
        lines.append(
            OrderLine(
                id=priced_line.line.id,
                product_id=product.id,
                variant_id=variant.id,
                kind=variant.kind,
                title=product.title,
                variant_title=variant.title,
                sku=variant.sku,
                quantity=priced_line.line.quantity,
                unit_price=unit,
                total=Money(total.amount - saved, currency),
                tax=tax,
                discounts=discounts,
                unit_cost=variant.cost,
                collection_ids=product.collection_ids,
            )
        )
    address = cart.shipping_address
    chosen = totals.delivery
    has_physical = any(line.requires_shipping for line in priced.lines)
    return Order(
        id=order_id,
        number=number,
        created_at=now,
        updated_at=now,
        currency=cart.currency,
        email=cart.buyer_identity.email,
        phone=cart.buyer_identity.phone,
        customer_id=shopper.customer_id,
        lines=tuple(lines),
        subtotal=totals.subtotal,
        shipping=totals.shipping or Money(0, cart.currency),
        shipping_tax=totals.shipping_tax,
        tax=totals.tax,
        total=totals.total,
        taxes_included=totals.taxes_included,
        shipping_address=None
        if address is None
        else PostalAddress(
            address.first_name,
            address.last_name,
            address.address1,
            address.address2,
            address.city,
            address.province,
            address.zip,
            address.country_code,
        ),
        delivery=None if chosen is None else Delivery(chosen.id, chosen.title, chosen.price),
        status=OrderStatus.AWAITING_PAYMENT,
        stock=StockState.RESERVED if has_physical else StockState.COMMITTED,
        reserved_until=reserved_until,
        history=(
            StatusChange(now, None, OrderStatus.AWAITING_PAYMENT, "checkout", "Order placed"),
        ),
        access_digest=access_digest,
        discount=Money(totals.discount.amount + totals.shipping_discount.amount, currency),
        discount_codes=tuple(c.code for c in priced.applied_codes()),
        affiliate_id=priced.cart.affiliate_id,
        visitor_id=visitor_id,
        cart_digest=cart_digest(priced.cart.id),
        sales_channel=shopper.channel.value,
    )
