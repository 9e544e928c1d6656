"""A paid order's buyer gets one confirmation e-mail through the outbox, whatever the retries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checkout_helpers import (
    CART_CREATE,
    EMAIL,
    checkout,
    payload_of,
    ready_cart,
    shipping_to_us,
    variant,
)

from commerce.composition import Services
from commerce.graphql.ids import from_global_id
from commerce.money import Currency, Money
from commerce.notifications.store import NotificationItem

if TYPE_CHECKING:
    from conftest import GraphQLCaller


def _outbox() -> list[dict[str, Any]]:
    """Every notification in the (per-test) table: what the events function would send."""
    return sorted(
        (
            {"template": item.template, "recipient": item.recipient, **item.data.as_dict()}
            for item in NotificationItem.scan()
            if isinstance(item, NotificationItem)
        ),
        key=lambda n: str(n["order_number"]),
    )


def test_paying_an_order_queues_one_confirmation_and_an_unpaid_one_none(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    book = variant(gql, admin_key, price="10.00")
    shipping_to_us(gql, admin_key)
    paid = checkout(gql, ready_cart(gql, (book, 1)), "confirm-1")["order"]
    checkout(gql, ready_cart(gql, (book, 1)), "confirm-2")  # never paid
    order_id = from_global_id(paid["id"], "Order")

    for _ in range(2):  # Stripe delivers the success twice
        services.orders.payment_succeeded(
            order_id=order_id, intent_id="pi_c", amount=Money(1500, Currency.USD)
        )

    assert _outbox() == [
        {
            "template": "order-confirmation",
            "recipient": EMAIL["email"],
            "order_number": paid["name"],
            "total": "15.00 USD",
        }
    ]


def test_an_order_with_nothing_to_pay_is_confirmed_too(gql: GraphQLCaller, admin_key: str) -> None:
    ebook = variant(gql, admin_key, price="0.00", digital=True)
    created = {"lines": [{"merchandiseId": ebook, "quantity": 1}], "buyerIdentity": EMAIL}
    cart_id = payload_of(gql(CART_CREATE, {"input": created}))["cart"]["id"]

    order = checkout(gql, cart_id, "confirm-3")["order"]

    assert [(n["order_number"], n["total"]) for n in _outbox()] == [(order["name"], "0.00 USD")]
