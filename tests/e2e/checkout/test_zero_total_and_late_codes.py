"""Orders with nothing to pay are paid at checkout; a late payment counts its codes again."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from checkout_helpers import (
    CART_CREATE,
    EMAIL,
    Clock,
    RecordingGateway,
    available,
    checkout,
    payload_of,
    ready_cart,
    shipping_to_us,
    variant,
)

from commerce.composition import Services
from commerce.graphql.ids import from_global_id
from commerce.money import Currency, Money
from commerce.pricing.model import Conditions, FreeShipping, ItemsOff, Promotion, Selector

if TYPE_CHECKING:
    from conftest import GraphQLCaller

CODES_UPDATE = """
mutation ($input: CartDiscountCodesUpdateInput!) {
  cartDiscountCodesUpdate(input: $input) {
    cart { cost { totalAmount { amount } } }
    userErrors { code }
  }
}"""
DOWNLOADS = """
query ($id: ID!, $token: String) {
  order(id: $id, accessToken: $token) { status downloads { title url remaining } }
}"""


def _code(services: Services, text: str, *, limit: int | None = None) -> str:
    """A code worth everything in the cart: 100 % off items and shipping-free orders."""
    promotion = services.promotions.create_promotion(
        Promotion(
            "",
            "Everything free",
            ItemsOff(Selector(), percent=Decimal(100)),
            Conditions(requires_code=True),
        )
    )
    services.promotions.create_code(promotion.id, text, usage_limit=limit)
    return promotion.id


def _apply(gql: GraphQLCaller, cart_id: str, text: str) -> str:
    payload = payload_of(gql(CODES_UPDATE, {"input": {"cartId": cart_id, "discountCodes": [text]}}))
    assert payload["userErrors"] == [], payload
    total: str = payload["cart"]["cost"]["totalAmount"]["amount"]
    return total


def _digital_cart(gql: GraphQLCaller, variant_id: str) -> str:
    created = {"lines": [{"merchandiseId": variant_id, "quantity": 1}], "buyerIdentity": EMAIL}
    payload = payload_of(gql(CART_CREATE, {"input": created}))
    assert payload["userErrors"] == [], payload
    cart_id: str = payload["cart"]["id"]
    return cart_id


def _times_used(services: Services, promotion_id: str) -> int:
    [found] = services.promotions.codes(promotion_id)
    return found.times_used


def test_a_free_ebook_is_paid_at_checkout_with_no_payment_and_its_link_works(
    gql: GraphQLCaller, admin_key: str, gateway: RecordingGateway
) -> None:
    ebook = variant(gql, admin_key, price="0.00", digital=True, asset_key="ebooks/free.epub")
    cart_id = _digital_cart(gql, ebook)

    placed = checkout(gql, cart_id, "free-1")
    again = checkout(gql, cart_id, "free-1")

    assert placed["userErrors"] == []
    order = placed["order"]
    assert order["total"]["amount"] == "0.00"
    assert order["status"] == "PAID"
    assert order["statusHistory"][-1]["note"] == "Nothing to pay"
    assert placed["paymentIntentClientSecret"] is None
    assert again["order"]["id"] == order["id"]
    assert again["order"]["status"] == "PAID"
    assert "create_intent" not in gateway.names()
    # A replay hands the guest a fresh access token (the first one may have been lost).
    read = gql(DOWNLOADS, {"id": order["id"], "token": again["orderAccessToken"]})
    assert read["data"]["order"]["status"] == "PAID"
    [link] = read["data"]["order"]["downloads"]
    assert link["url"]
    assert link["remaining"] > 0


def test_a_100_percent_code_settles_only_what_is_free_to_the_cent(
    gql: GraphQLCaller, admin_key: str, services: Services, gateway: RecordingGateway
) -> None:
    book = variant(gql, admin_key, price="12.00", stock=3)
    ebook = variant(gql, admin_key, price="8.00", digital=True)
    _code(services, "ALLFREE")
    shipping_to_us(gql, admin_key)
    physical = ready_cart(gql, (book, 1))
    assert _apply(gql, physical, "allfree") == "5.00"  # the items are free, delivery is not
    digital = _digital_cart(gql, ebook)
    assert _apply(gql, digital, "allfree") == "0.00"

    free = checkout(gql, digital, "free-2")
    owed = checkout(gql, physical, "free-3")

    assert free["order"]["status"] == "PAID"
    assert free["paymentIntentClientSecret"] is None
    assert owed["order"]["status"] == "AWAITING_PAYMENT"
    assert owed["paymentIntentClientSecret"]
    amounts = [args["amount"] for name, args in gateway.calls if name == "create_intent"]
    assert amounts == [Money(500, Currency.USD)]


def test_a_free_physical_order_commits_its_stock_and_outlives_the_window(
    gql: GraphQLCaller, admin_key: str, services: Services, clock: Clock
) -> None:
    book = variant(gql, admin_key, price="0.00", stock=2)
    services.promotions.create_promotion(
        Promotion("", "Free delivery", FreeShipping(), Conditions())
    )
    shipping_to_us(gql, admin_key)
    cart_id = ready_cart(gql, (book, 1))

    placed = checkout(gql, cart_id, "free-4")

    assert placed["order"]["total"]["amount"] == "0.00"
    assert placed["order"]["status"] == "PAID"
    assert placed["order"]["stockState"] == "COMMITTED"
    clock.advance(services.settings.reservation_seconds + 1)
    assert services.orders.release_expired_reservations(clock.now) == 0
    assert available(gql, admin_key, book) == 1


@pytest.fixture
def late(
    gql: GraphQLCaller, admin_key: str, services: Services, clock: Clock
) -> tuple[str, str, str]:
    """An order placed with a one-use code, then expired unpaid: promotion, order and book ids."""
    book = variant(gql, admin_key, price="20.00")
    promotion = services.promotions.create_promotion(
        Promotion(
            "",
            "Half price",
            ItemsOff(Selector(), percent=Decimal(50)),
            Conditions(requires_code=True),
        )
    )
    services.promotions.create_code(promotion.id, "HALF", usage_limit=1)
    shipping_to_us(gql, admin_key)
    cart_id = ready_cart(gql, (book, 1))
    _apply(gql, cart_id, "half")
    placed = checkout(gql, cart_id, "late-1")
    assert placed["userErrors"] == []
    assert _times_used(services, promotion.id) == 1
    clock.advance(services.settings.reservation_seconds + 1)
    assert services.orders.release_expired_reservations(clock.now) == 1
    assert _times_used(services, promotion.id) == 0
    return promotion.id, from_global_id(placed["order"]["id"], "Order"), book


def test_a_payment_after_expiry_counts_the_code_use_again(
    services: Services, late: tuple[str, str, str]
) -> None:
    promotion_id, order_id, _ = late
    paid = Money(1500, Currency.USD)  # 10.00 after the code, plus 5.00 delivery

    services.orders.payment_succeeded(order_id=order_id, intent_id="pi_late", amount=paid)
    services.orders.payment_succeeded(order_id=order_id, intent_id="pi_late", amount=paid)

    paid_order = services.orders.order(order_id)
    assert paid_order is not None
    assert paid_order.status.value == "PAID"
    assert _times_used(services, promotion_id) == 1


def test_a_late_payment_counts_its_use_even_if_the_code_was_used_up_meanwhile(
    gql: GraphQLCaller, services: Services, late: tuple[str, str, str]
) -> None:
    promotion_id, order_id, book = late
    other = ready_cart(gql, (book, 1))
    _apply(gql, other, "half")
    assert checkout(gql, other, "late-2")["userErrors"] == []
    assert _times_used(services, promotion_id) == 1

    paid = Money(1500, Currency.USD)
    services.orders.payment_succeeded(order_id=order_id, intent_id="pi_late", amount=paid)

    # The shopper paid the discounted price: the use is real, past the limit or not.
    assert _times_used(services, promotion_id) == 2
