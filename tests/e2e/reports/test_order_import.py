"""Settled orders brought over in batches: readable as written, changeable afterwards by
the ordinary writers, and added to the reports once by the batch consumer."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from test_rollup_properties import paid_order

from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.ids import new_id
from commerce.money import Currency, Money
from commerce.orders.model import Order, OrderStatus
from commerce.orders.service import OrdersService
from commerce.payments.local import LocalStripe
from commerce.reports.model import DateRange, Granularity, GroupBy
from table_settings import fresh_settings

USD = Currency.USD
DAY = date(2003, 3, 3)


@pytest.fixture(scope="module")
def services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


def settled(count: int, day: date) -> list[Order]:
    at = datetime.combine(day, datetime.min.time(), UTC)
    return [
        dataclasses.replace(
            paid_order(new_id(int(at.timestamp() * 1000) + i), [(1 + i % 2, 700, 0)], day),
            payment_intent_id=f"pi_{uuid.uuid4().hex[:10]}",
            paid_amount=Money(700 * (1 + i % 2), USD),
        )
        for i in range(count)
    ]


def test_imported_orders_read_back_as_written_and_count_once_in_the_reports(
    services: Services,
) -> None:
    orders = settled(60, DAY)
    services.orders.import_settled(orders)
    found = services.orders.orders_by_id([o.id for o in orders] + ["not-an-id"])
    assert found == {o.id: o for o in orders}
    assert services.reports.record_orders(list(found.values())) == 60
    assert services.reports.record_orders(list(found.values())) == 0
    rows = services.reports.sales(DateRange(DAY, DAY), Granularity.DAY, GroupBy.CURRENCY, USD)
    assert [(r.figures.units, r.figures.gross, r.figures.orders) for r in rows] == [
        (90, 63_000, 60)
    ]


def test_an_imported_order_is_refunded_later_by_the_payment_events(services: Services) -> None:
    (order,) = settled(1, DAY + timedelta(days=1))
    services.orders.import_settled([order])
    clock = [datetime.combine(DAY + timedelta(days=2), datetime.min.time(), UTC)]
    orders = OrdersService(services.inventory, services.gateway, clock=lambda: clock[0])
    orders.refunded(
        order_id=order.id, intent_id=order.payment_intent_id or "", amount_refunded=Money(200, USD)
    )
    refunded = services.orders.order(order.id)
    assert refunded is not None
    assert refunded.status is OrderStatus.PARTIALLY_REFUNDED
    assert refunded.refunded == Money(200, USD)


def test_an_unpaid_order_is_not_imported(services: Services) -> None:
    (order,) = settled(1, DAY)
    waiting = dataclasses.replace(order, status=OrderStatus.AWAITING_PAYMENT, paid_amount=None)
    with pytest.raises(ValueError, match="only paid orders"):
        services.orders.import_settled([waiting])
    assert services.orders.order(order.id) is None
