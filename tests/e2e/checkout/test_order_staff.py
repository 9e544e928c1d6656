"""Staff list, filter, cancel, fulfil and refund orders; shoppers cannot."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from checkout_helpers import (
    Clock,
    RecordingGateway,
    available,
    checkout,
    codes,
    payload_of,
    read_order,
    ready_cart,
    shipping_to_us,
    staff_orders,
    variant,
)

from commerce.composition import Services
from commerce.money import Currency, Money

if TYPE_CHECKING:
    from conftest import GraphQLCaller

ORDER_RESULT = """
  order { id status stockState refundPendingAmount { amount } tracking { carrier number url } }
  userErrors { field code message }
"""
CANCEL = (
    f"mutation ($input: OrderCancelInput!) {{ orderCancel(input: $input) {{ {ORDER_RESULT} }} }}"
)
FULFILL = (
    f"mutation ($input: OrderFulfillInput!) {{ orderFulfill(input: $input) {{ {ORDER_RESULT} }} }}"
)
REFUND = (
    f"mutation ($input: OrderRefundInput!) {{ orderRefund(input: $input) {{ {ORDER_RESULT} }} }}"
)


def _local(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()[6:]


def _place(gql: GraphQLCaller, variant_id: str, key: str) -> dict[str, Any]:
    payload = checkout(gql, ready_cart(gql, (variant_id, 1)), key)
    assert payload["userErrors"] == [], payload
    order: dict[str, Any] = payload["order"]
    return order


def _paid(services: Services, order: dict[str, Any]) -> None:
    services.orders.payment_succeeded(
        order_id=_local(order["id"]),
        intent_id="pi_x",
        amount=Money(1500, Currency.USD),
    )


def _act(
    gql: GraphQLCaller, mutation: str, input: dict[str, Any], key: str | None
) -> dict[str, Any]:
    return payload_of(gql(mutation, {"input": input}, api_key=key))


def test_staff_list_orders_newest_first_by_status_and_page(
    gql: GraphQLCaller, admin_key: str, services: Services, clock: Clock
) -> None:
    # given three orders a minute apart, the middle one paid
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=10)
    placed = []
    for i in range(3):
        placed.append(_place(gql, novel, f"list-{i}"))
        clock.advance(60)
    first, second, third = placed
    _paid(services, second)
    # when staff list them two at a time
    page = staff_orders(gql, admin_key, first=2)
    rest = staff_orders(gql, admin_key, first=2, after=page["pageInfo"]["endCursor"])
    # then newest first, without overlap
    assert [o["id"] for o in page["nodes"]] == [third["id"], second["id"]]
    assert page["pageInfo"]["hasNextPage"] is True
    assert [o["id"] for o in rest["nodes"]] == [first["id"]]
    assert rest["pageInfo"]["hasNextPage"] is False
    # and by status
    paid = staff_orders(gql, admin_key, filter={"status": "PAID"})["nodes"]
    assert [o["id"] for o in paid] == [second["id"]]
    waiting = staff_orders(gql, admin_key, filter={"status": "AWAITING_PAYMENT"})["nodes"]
    assert [o["id"] for o in waiting] == [third["id"], first["id"]]
    # and by date
    later = staff_orders(gql, admin_key, filter={"createdFrom": "2999-01-01T00:00:00Z"})
    assert later["nodes"] == []
    window = {"createdFrom": "2000-01-01T00:00:00Z", "createdTo": "2999-01-01T00:00:00Z"}
    assert len(staff_orders(gql, admin_key, filter=window)["nodes"]) == 3


def test_bad_cursor_and_page_size_are_typed_errors(gql: GraphQLCaller, admin_key: str) -> None:
    body = gql('query { orders(first: 5, after: "nope") { nodes { id } } }', api_key=admin_key)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = gql("query { orders(first: 0) { nodes { id } } }", api_key=admin_key)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = gql('query { order(id: "garbage") { id } }', api_key=admin_key)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_staff_cancel_an_unpaid_order_and_its_stock_comes_back(
    gql: GraphQLCaller, admin_key: str, services: Services, gateway: RecordingGateway
) -> None:
    # given
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=3)
    unpaid, paid = _place(gql, novel, "c-1"), _place(gql, novel, "c-2")
    _paid(services, paid)
    assert available(gql, admin_key, novel) == 1
    # when
    cancelled = _act(gql, CANCEL, {"id": unpaid["id"], "reason": "customer called"}, admin_key)
    refused = _act(gql, CANCEL, {"id": paid["id"], "reason": "too late"}, admin_key)
    blank = _act(gql, CANCEL, {"id": unpaid["id"], "reason": " "}, admin_key)
    # then
    assert (cancelled["order"]["status"], cancelled["order"]["stockState"]) == (
        "CANCELLED",
        "RELEASED",
    )
    assert available(gql, admin_key, novel) == 2
    assert "cancel_intent" in gateway.names()
    assert codes(refused) == ["NOT_CANCELLABLE"]
    assert codes(blank) == ["REASON_REQUIRED"]
    history = read_order(gql, unpaid["id"], api_key=admin_key)["statusHistory"]  # type: ignore[index]
    assert history[-1]["note"] == "customer called"
    assert history[-1]["actor"].startswith("API_KEY:")


def test_staff_fulfil_a_paid_order_with_tracking(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=3)
    unpaid, paid = _place(gql, novel, "f-1"), _place(gql, novel, "f-2")
    _paid(services, paid)
    tracking = {"carrier": "UPS", "number": "1Z999", "url": "https://ups.example/1Z999"}
    shipped = _act(gql, FULFILL, {"id": paid["id"], "tracking": tracking}, admin_key)
    assert shipped["order"]["status"] == "FULFILLED"
    assert shipped["order"]["tracking"] == tracking
    refused = _act(gql, FULFILL, {"id": unpaid["id"], "tracking": tracking}, admin_key)
    assert codes(refused) == ["NOT_FULFILLABLE"]
    bad = _act(
        gql, FULFILL, {"id": paid["id"], "tracking": {"carrier": "", "number": "1"}}, admin_key
    )
    assert codes(bad) == ["INVALID_TRACKING", "NOT_FULFILLABLE"]


def test_staff_refund_is_pending_until_stripe_confirms_and_never_exceeds_the_total(
    gql: GraphQLCaller, admin_key: str, services: Services, gateway: RecordingGateway
) -> None:
    # given a paid order of 15.00, and a Stripe that leaves refunds pending
    gateway.refund_status = "pending"
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=3)
    order = _place(gql, novel, "r-1")
    _paid(services, order)
    # when staff refund 10.00
    partial = _act(
        gql,
        REFUND,
        {"id": order["id"], "amount": {"amount": "10.00", "currencyCode": "USD"}, "reason": "late"},
        admin_key,
    )
    # then Stripe is asked once, with a stable key, and the amount is pending
    assert partial["userErrors"] == []
    assert partial["order"]["refundPendingAmount"] == {"amount": "10.00"}
    ((_, args),) = [call for call in gateway.calls if call[0] == "refund"]
    assert args["amount"] == Money(1000, Currency.USD)
    assert args["idempotency_key"] == f"refund-{_local(order['id'])}-1"
    # and more than the 5.00 left is refused, in our code (Stripe fakes accept it)
    over = _act(
        gql,
        REFUND,
        {"id": order["id"], "amount": {"amount": "5.01", "currencyCode": "USD"}, "reason": "x"},
        admin_key,
    )
    assert codes(over) == ["REFUND_EXCEEDS_REMAINING"]
    # when Stripe confirms
    services.orders.refunded(
        order_id=_local(order["id"]), intent_id="pi_x", amount_refunded=Money(1000, Currency.USD)
    )
    # then
    after = read_order(gql, order["id"], api_key=admin_key)
    assert after is not None
    assert after["status"] == "PARTIALLY_REFUNDED"
    assert (after["refundedAmount"], after["refundPendingAmount"]) == (
        {"amount": "10.00"},
        {"amount": "0.00"},
    )
    # and the rest can be refunded without naming an amount
    rest = _act(gql, REFUND, {"id": order["id"], "reason": "all of it"}, admin_key)
    assert rest["order"]["refundPendingAmount"] == {"amount": "5.00"}


def test_unpaid_orders_cannot_be_refunded(gql: GraphQLCaller, admin_key: str) -> None:
    shipping_to_us(gql, admin_key)
    order = _place(gql, variant(gql, admin_key, stock=3), "u-1")
    refused = _act(gql, REFUND, {"id": order["id"], "reason": "x"}, admin_key)
    assert codes(refused) == ["NOT_REFUNDABLE"]


def test_shoppers_cannot_use_staff_order_operations(gql: GraphQLCaller, admin_key: str) -> None:
    shipping_to_us(gql, admin_key)
    order = _place(gql, variant(gql, admin_key, stock=3), "p-1")
    for mutation, input in (
        (CANCEL, {"id": order["id"], "reason": "x"}),
        (FULFILL, {"id": order["id"], "tracking": {"carrier": "x", "number": "1"}}),
        (REFUND, {"id": order["id"], "reason": "x"}),
    ):
        body = gql(mutation, {"input": input})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = gql("query { orders(first: 5) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert read_order(gql, order["id"], api_key=admin_key)["status"] == "AWAITING_PAYMENT"  # type: ignore[index]


def test_unknown_and_malformed_order_ids_are_user_errors(
    gql: GraphQLCaller, admin_key: str
) -> None:
    unknown = base64.urlsafe_b64encode(f"Order:{'0' * 26}".encode()).decode().rstrip("=")
    assert codes(_act(gql, CANCEL, {"id": unknown, "reason": "x"}, admin_key)) == [
        "ORDER_NOT_FOUND"
    ]
    assert codes(_act(gql, CANCEL, {"id": "garbage", "reason": "x"}, admin_key)) == ["INVALID_ID"]
    assert read_order(gql, unknown, api_key=admin_key) is None


def test_a_refund_stripe_answers_succeeded_settles_at_once_and_the_late_event_changes_nothing(
    gql: GraphQLCaller, admin_key: str, services: Services
) -> None:
    # given a paid order of 15.00
    shipping_to_us(gql, admin_key)
    novel = variant(gql, admin_key, stock=3)
    order = _place(gql, novel, "r-now")
    _paid(services, order)
    # when staff refund 10.00 and Stripe answers the refund succeeded
    partial = _act(
        gql,
        REFUND,
        {"id": order["id"], "amount": {"amount": "10.00", "currencyCode": "USD"}, "reason": "late"},
        admin_key,
    )
    # then the order counts it as refunded, with nothing left pending
    assert partial["userErrors"] == []
    assert partial["order"]["status"] == "PARTIALLY_REFUNDED"
    assert partial["order"]["refundPendingAmount"] == {"amount": "0.00"}
    # when charge.refunded arrives later with the same cumulative amount
    services.orders.refunded(
        order_id=_local(order["id"]), intent_id="pi_x", amount_refunded=Money(1000, Currency.USD)
    )
    # then nothing is counted twice
    after = read_order(gql, order["id"], api_key=admin_key)
    assert after is not None
    assert (after["status"], after["refundedAmount"]) == ("PARTIALLY_REFUNDED", {"amount": "10.00"})
    # and the rest refunded settles the order as REFUNDED
    rest = _act(gql, REFUND, {"id": order["id"], "reason": "all of it"}, admin_key)
    assert rest["order"]["status"] == "REFUNDED"
