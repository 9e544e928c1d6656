"""The events function, called with DynamoDB stream batches as Lambda delivers them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from aws_imitations import Outbox, imitated_ses_and_sns
from commerce.composition import Services
from commerce.events import handler as events
from commerce.notifications import store
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.observability.logs import reset_logging
from commerce.orders.model import Order, OrderStatus
from commerce.orders.service import OrdersService
from commerce.settings import Settings
from placed_orders import order_image, place_ebook_order, reservation_image
from stream_records import batch, image_of, sequence_of, stream_record

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
CONTEXT = SimpleNamespace(aws_request_id="7f1c7bde-2d3b-4f8e-9a61-0c5d2e8b9a10")


@pytest.fixture
def deployed(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The events function's environment, over this test's table; a cold start."""
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_STAGE", "dev")
    monkeypatch.setenv("COMMERCE_LOG_FORMAT", "json")
    monkeypatch.setenv("COMMERCE_EMAIL_FROM", "shop@example.com")
    monkeypatch.setenv("COMMERCE_STRIPE_SECRET_KEY", settings.stripe_secret_key.value)
    monkeypatch.setenv("COMMERCE_STRIPE_API_BASE", str(settings.stripe_api_base))
    events._runtime = None
    yield
    events._runtime = None
    reset_logging()


@pytest.fixture
def aws_outbox() -> Iterator[Outbox]:
    with imitated_ses_and_sns() as outbox:
        yield outbox


def enqueued(services: Services, code: str = "R3SET", **data: str) -> dict[str, Any]:
    """An INSERT record of a notification written to the table."""
    notification = Notification.new(
        Channel.EMAIL,
        TemplateName.PASSWORD_RESET,
        "ada@example.com",
        data or {"token": code, "expires_in": "1 hour"},
        NOW,
    )
    services.notifications.enqueue(notification)
    return stream_record("INSERT", new=image_of(store.outbox_item(notification)))


def log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.usefixtures("deployed")
def test_an_inserted_notification_is_sent_once_even_if_delivered_twice(
    services: Services, aws_outbox: Outbox
) -> None:
    # given the same record twice, as a retried batch would bring it
    record = enqueued(services)
    # when
    first = events.handler(batch(record), CONTEXT)
    second = events.handler(batch(record), CONTEXT)
    # then
    assert first == second == {"batchItemFailures": []}
    assert len(aws_outbox.emails()) == 1
    assert "R3SET" in aws_outbox.emails()[0].body


@pytest.mark.usefixtures("deployed")
def test_a_poison_record_is_reported_alone_and_the_batch_before_it_is_done(
    services: Services, aws_outbox: Outbox, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a batch whose second record cannot be rendered (its data lacks the token)
    good = enqueued(services, code="FIRST")
    poison = enqueued(services, expires_in="1 hour")
    after = enqueued(services, code="THIRD")
    # when
    result = events.handler(batch(good, poison, after), CONTEXT)
    # then only the poison record is reported: Lambda retries from it
    assert result == {"batchItemFailures": [{"itemIdentifier": sequence_of(poison)}]}
    assert [m.body.count("FIRST") for m in aws_outbox.emails()] == [1]
    # and the failure is logged with ids only, and counted
    out = capsys.readouterr().out
    failure = next(line for line in log_lines(out) if line.get("message") == "stream record failed")
    assert failure["sequence_number"] == sequence_of(poison)
    assert failure["correlation_id"] == CONTEXT.aws_request_id
    assert failure["level"] == "ERROR"
    assert "ada@example.com" not in out
    metrics = [line for line in log_lines(out) if "_aws" in line]
    names = [m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for m in metrics]
    assert names == ["NotificationsSent", "StreamRecordFailures"]


@pytest.mark.usefixtures("deployed")
@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"Records": []}, id="empty-batch"),
        pytest.param({"Records": [{"eventName": "INSERT"}]}, id="record-without-sequence"),
        pytest.param(
            batch({"eventName": "UPSERT", "dynamodb": {"SequenceNumber": "1"}}),
            id="unknown-event-name",
        ),
        pytest.param({}, id="not-a-stream-batch"),
        pytest.param([], id="not-an-object"),
    ],
)
def test_odd_batches_never_raise(event: Any) -> None:
    # when
    result = events.handler(event, CONTEXT)
    # then
    if event == batch({"eventName": "UPSERT", "dynamodb": {"SequenceNumber": "1"}}):
        assert result == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    else:
        assert result == {"batchItemFailures": []}


@pytest.mark.usefixtures("deployed")
def test_an_order_becoming_paid_is_counted_with_its_revenue_by_currency(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # given an order that was paid, then fulfilled
    order = place_ebook_order(services)
    awaiting = order_image(order.id)
    services.orders.payment_succeeded(
        order_id=order.id, intent_id=str(order.payment_intent_id), amount=order.total
    )
    paid = order_image(order.id)
    # when the stream brings the payment, and the same change again (a retried batch)
    first = events.handler(batch(stream_record("MODIFY", new=paid, old=awaiting)), CONTEXT)
    again = events.handler(batch(stream_record("MODIFY", new=paid, old=paid)), CONTEXT)
    # then one order and its revenue, once
    assert first == again == {"batchItemFailures": []}
    metrics = [line for line in log_lines(capsys.readouterr().out) if "_aws" in line]
    assert [(m.get("OrdersPaid"), m.get("RevenueMinorUnits")) for m in metrics] == [
        ([1.0], None),
        (None, [1999.0]),
    ]
    assert metrics[1]["currency"] == "USD"
    assert metrics[1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Commerce"


@pytest.mark.usefixtures("deployed")
def test_a_reservation_removed_by_ttl_expires_its_unpaid_order(services: Services) -> None:
    # given an unpaid order whose payment window ended an hour ago
    order = place_ebook_order(services, placed_at=datetime.now(UTC) - timedelta(hours=2))
    reservation = reservation_image(order.id)
    # when DynamoDB's TTL deletes the reservation
    result = events.handler(batch(stream_record("REMOVE", old=reservation, by_ttl=True)), CONTEXT)
    # then
    assert result == {"batchItemFailures": []}
    expired = services.orders.order(order.id)
    assert expired is not None
    assert expired.status is OrderStatus.EXPIRED


@pytest.mark.usefixtures("deployed")
def test_a_reservation_the_service_deleted_itself_changes_nothing(services: Services) -> None:
    # given an unpaid order past its window, whose reservation a user (not TTL) deleted
    order = place_ebook_order(services, placed_at=datetime.now(UTC) - timedelta(hours=2))
    reservation = reservation_image(order.id)
    # when
    result = events.handler(batch(stream_record("REMOVE", old=reservation)), CONTEXT)
    # then the order is untouched (the service releases stock in its own transaction)
    assert result == {"batchItemFailures": []}
    untouched = services.orders.order(order.id)
    assert untouched is not None
    assert untouched.status is OrderStatus.AWAITING_PAYMENT


@pytest.mark.usefixtures("deployed")
def test_changes_nobody_consumes_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    # given a cart removed by TTL and a SKU claimed (products now publish the catalog)
    cart = {"PK": {"S": "CART#abc"}, "SK": {"S": "CART"}, "type": {"S": "Cart"}}
    sku = {"PK": {"S": "SKU#B-1"}, "SK": {"S": "SKU"}, "type": {"S": "Sku"}}
    # when
    result = events.handler(
        batch(stream_record("REMOVE", old=cart, by_ttl=True), stream_record("INSERT", new=sku)),
        CONTEXT,
    )
    # then
    assert result == {"batchItemFailures": []}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.usefixtures("deployed")
def test_a_paid_order_is_read_once_for_all_that_its_change_feeds(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an order that was paid, and a count of the events function's order reads
    order = place_ebook_order(services)
    awaiting = order_image(order.id)
    services.orders.payment_succeeded(
        order_id=order.id, intent_id=str(order.payment_intent_id), amount=order.total
    )
    paid = order_image(order.id)
    reads: list[str] = []
    read_order = OrdersService.order

    def counted(self: OrdersService, order_id: str) -> Order | None:
        reads.append(order_id)
        return read_order(self, order_id)

    monkeypatch.setattr(OrdersService, "order", counted)
    # when the stream brings the payment, which webhooks, journeys, customer value,
    # commissions, reports, recovery, loyalty and the paid-order metrics all read
    result = events.handler(batch(stream_record("MODIFY", new=paid, old=awaiting)), CONTEXT)
    # then the order was read from the table once
    assert result == {"batchItemFailures": []}
    assert reads == [order.id]
