"""Payment events, expiry and TTL removal move an order once, whatever their order."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
from checkout_helpers import (
    Clock,
    RecordingGateway,
    available,
    checkout,
    read_order,
    ready_cart,
    shipping_to_us,
    variant,
)

from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.payments.ports import UnknownOrder

if TYPE_CHECKING:
    from conftest import GraphQLCaller

SET_LEVEL = """
mutation ($input: InventorySetInput!) { inventorySet(input: $input) { userErrors { code } } }
"""


def _local(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()[6:]


class Placed:
    """An order placed over the API, 1 of a hardcover with 5 in stock, total 15.00 USD."""

    def __init__(self, gql: GraphQLCaller, admin_key: str) -> None:
        shipping_to_us(gql, admin_key)
        self.variant = variant(gql, admin_key, stock=5)
        payload = checkout(gql, ready_cart(gql, (self.variant, 1)), "placed")
        assert payload["userErrors"] == []
        self.global_id: str = payload["order"]["id"]
        self.id = _local(self.global_id)
        self.total = Money(1500, Currency.USD)
        self.gql = gql
        self.admin_key = admin_key

    def read(self) -> dict[str, Any]:
        order = read_order(self.gql, self.global_id, api_key=self.admin_key)
        assert order is not None
        return order

    def stock(self) -> int:
        return available(self.gql, self.admin_key, self.variant)


@pytest.fixture
def placed(gql: GraphQLCaller, admin_key: str) -> Placed:
    return Placed(gql, admin_key)


def _usd(cents: int) -> Money:
    return Money(cents, Currency.USD)


def test_success_commits_the_stock_and_a_duplicate_changes_nothing(
    placed: Placed, services: Services, clock: Clock
) -> None:
    # when Stripe reports the payment twice
    for _ in range(2):
        services.orders.payment_succeeded(order_id=placed.id, intent_id="pi_1", amount=placed.total)
    # then the order is paid once, with its stock committed
    order = placed.read()
    assert (order["status"], order["stockState"]) == ("PAID", "COMMITTED")
    assert [h["toStatus"] for h in order["statusHistory"]] == ["AWAITING_PAYMENT", "PAID"]
    assert order["paidAmount"] == {"amount": "15.00"}
    assert placed.stock() == 4
    # and expiry later finds nothing to release
    clock.advance(services.settings.reservation_seconds + 1)
    assert services.orders.release_expired_reservations(clock.now) == 0
    assert placed.stock() == 4


def test_failed_attempt_is_recorded_and_the_order_keeps_waiting(
    placed: Placed, services: Services
) -> None:
    for _ in range(2):
        services.orders.payment_failed(order_id=placed.id, intent_id="pi_1", reason="card_declined")
    order = placed.read()
    assert order["status"] == "AWAITING_PAYMENT"
    assert order["paymentError"] == "card_declined"
    assert [h["note"] for h in order["statusHistory"]][1:] == ["Payment failed: card_declined"]
    assert placed.stock() == 4


def test_cancellation_releases_the_stock_once(placed: Placed, services: Services) -> None:
    # when the cancellation arrives three times, two of them at once
    services.orders.payment_canceled(order_id=placed.id, intent_id="pi_1")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda _: services.orders.payment_canceled(order_id=placed.id, intent_id="pi_1"),
                range(2),
            )
        )
    # then the unit came back exactly once
    assert placed.stock() == 5
    order = placed.read()
    assert (order["status"], order["stockState"]) == ("CANCELLED", "RELEASED")


def test_concurrent_releases_by_job_and_ttl_give_stock_back_once(
    placed: Placed, services: Services, clock: Clock, gateway: RecordingGateway
) -> None:
    # given the payment window has passed
    clock.advance(services.settings.reservation_seconds + 1)
    # when the scheduled job and the TTL stream handler release it at the same moment
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [
            pool.submit(services.orders.release_expired_reservations, clock.now),
            pool.submit(services.orders.reservation_removed, placed.id),
            pool.submit(services.orders.reservation_removed, placed.id),
        ]
        expired = jobs[0].result()
        for job in jobs[1:]:
            job.result()
    # then the order expired once, its unit came back once, its intent was cancelled
    assert expired in (0, 1)
    assert placed.stock() == 5
    order = placed.read()
    assert (order["status"], order["stockState"]) == ("EXPIRED", "RELEASED")
    assert gateway.names().count("cancel_intent") == 1
    assert services.orders.release_expired_reservations(clock.now) == 0


def test_job_expires_unpaid_orders_only_after_the_window(
    placed: Placed, services: Services, clock: Clock
) -> None:
    clock.advance(services.settings.reservation_seconds - 5)
    assert services.orders.release_expired_reservations(clock.now) == 0
    services.orders.reservation_removed(placed.id)  # a REMOVE that is not an expiry
    assert placed.read()["status"] == "AWAITING_PAYMENT"
    clock.advance(10)
    assert services.orders.release_expired_reservations(clock.now) == 1
    assert placed.read()["status"] == "EXPIRED"
    assert placed.stock() == 5


def test_payment_after_expiry_takes_the_stock_again_when_it_is_there(
    placed: Placed, services: Services, clock: Clock
) -> None:
    clock.advance(services.settings.reservation_seconds + 1)
    services.orders.release_expired_reservations(clock.now)
    assert placed.stock() == 5
    # when the payment lands after all
    services.orders.payment_succeeded(order_id=placed.id, intent_id="pi_1", amount=placed.total)
    # then
    order = placed.read()
    assert (order["status"], order["stockState"], order["attention"]) == (
        "PAID",
        "COMMITTED",
        None,
    )
    assert placed.stock() == 4


def test_payment_after_expiry_with_the_stock_gone_is_flagged_for_staff(
    placed: Placed, services: Services, clock: Clock, gql: GraphQLCaller, admin_key: str
) -> None:
    clock.advance(services.settings.reservation_seconds + 1)
    services.orders.release_expired_reservations(clock.now)
    gql(
        SET_LEVEL,
        {"input": {"variantId": placed.variant, "available": 0, "reason": "sold in shop"}},
        api_key=admin_key,
    )
    # when
    services.orders.payment_succeeded(order_id=placed.id, intent_id="pi_1", amount=placed.total)
    # then the money is acknowledged, the shortage is flagged, stock never goes negative
    order = placed.read()
    assert (order["status"], order["stockState"]) == ("PAID", "SHORT")
    assert order["attention"]
    assert placed.stock() == 0


def test_refund_events_out_of_order_keep_the_largest_amount(
    placed: Placed, services: Services
) -> None:
    services.orders.payment_succeeded(order_id=placed.id, intent_id="pi_1", amount=placed.total)
    # when the full refund arrives before the earlier partial one
    services.orders.refunded(order_id=placed.id, intent_id="pi_1", amount_refunded=_usd(1500))
    services.orders.refunded(order_id=placed.id, intent_id="pi_1", amount_refunded=_usd(500))
    # then
    order = placed.read()
    assert (order["status"], order["refundedAmount"]) == ("REFUNDED", {"amount": "15.00"})


def test_refund_before_success_marks_paid_and_refunded(placed: Placed, services: Services) -> None:
    services.orders.refunded(order_id=placed.id, intent_id="pi_1", amount_refunded=_usd(500))
    services.orders.payment_succeeded(order_id=placed.id, intent_id="pi_1", amount=placed.total)
    order = placed.read()
    assert (order["status"], order["stockState"]) == ("PARTIALLY_REFUNDED", "COMMITTED")
    assert order["refundedAmount"] == {"amount": "5.00"}
    assert placed.stock() == 4


def test_cancellation_after_success_changes_nothing(placed: Placed, services: Services) -> None:
    services.orders.payment_succeeded(order_id=placed.id, intent_id="pi_1", amount=placed.total)
    services.orders.payment_canceled(order_id=placed.id, intent_id="pi_1")
    assert placed.read()["status"] == "PAID"
    assert placed.stock() == 4


@pytest.mark.parametrize("order_id", ["0" * 26, "not-an-id"])
def test_events_for_unknown_orders_raise_unknown_order(services: Services, order_id: str) -> None:
    with pytest.raises(UnknownOrder):
        services.orders.payment_succeeded(order_id=order_id, intent_id="pi", amount=_usd(1))
    with pytest.raises(UnknownOrder):
        services.orders.payment_failed(order_id=order_id, intent_id="pi", reason="x")
    with pytest.raises(UnknownOrder):
        services.orders.payment_canceled(order_id=order_id, intent_id="pi")
    with pytest.raises(UnknownOrder):
        services.orders.refunded(order_id=order_id, intent_id="pi", amount_refunded=_usd(1))
    services.orders.reservation_removed(order_id)  # acknowledged, nothing to do
