"""The outbox: a notification is written with the business change and sent exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from aws_imitations import SENDER, Outbox, imitated_ses_and_sns
from commerce.cart.store import CartItem
from commerce.composition import Services
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.notifications import store
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.notifications.senders import SendFailed
from commerce.notifications.service import Delivery

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture
def aws_outbox() -> Iterator[Outbox]:
    with imitated_ses_and_sns() as outbox:
        yield outbox


def reset_email(recipient: str = "ada@example.com") -> Notification:
    return Notification.new(
        Channel.EMAIL,
        TemplateName.PASSWORD_RESET,
        recipient,
        {"token": "R3SET-T0KEN", "expires_in": "1 hour"},
        NOW,
    )


def test_an_enqueued_notification_is_stored_unsent_with_an_expiry(services: Services) -> None:
    # given
    notification = reset_email()
    # when
    services.notifications.enqueue(notification)
    # then
    item = store.get(notification.id)
    assert item is not None
    assert item.sent_at is None
    assert item.ttl is not None
    assert (item.ttl - NOW).days == store.RETENTION_DAYS
    # and it reads back from the stream image the events function receives
    deserialize = TypeDeserializer().deserialize
    image = {name: deserialize(value) for name, value in item.serialize().items()}
    assert store.notification_from_image(image) == notification


def test_an_outbox_item_is_written_only_if_the_business_change_is(services: Services) -> None:
    # given a write set whose other item's condition fails
    notification = reset_email()
    writes = WriteSet()
    writes.put(store.outbox_item(notification), store.new_item_condition(), label="outbox")
    writes.check(CartItem, "CART#missing", "CART", CartItem.pk.exists(), label="cart exists")
    # when
    with pytest.raises(ConditionsFailed) as failed:
        writes.commit()
    # then nothing was enqueued
    assert failed.value.labels == ("cart exists",)
    assert store.get(notification.id) is None


def test_a_delivered_email_goes_through_ses_once_even_when_delivered_twice(
    services: Services, aws_outbox: Outbox
) -> None:
    # given
    notification = reset_email()
    services.notifications.enqueue(notification)
    # when the stream delivers the same record twice
    first = services.notifications.deliver(notification)
    second = services.notifications.deliver(notification)
    # then
    assert (first, second) == (Delivery.SENT, Delivery.ALREADY_CLAIMED)
    emails = aws_outbox.emails()
    assert len(emails) == 1
    assert emails[0].source == SENDER
    assert emails[0].destinations["ToAddresses"] == ["ada@example.com"]
    assert emails[0].subject == "Reset your password"
    assert "R3SET-T0KEN" in emails[0].body
    item = store.get(notification.id)
    assert item is not None
    assert item.sent_at is not None
    assert item.provider_message_id


def test_a_text_message_goes_through_sns(services: Services, aws_outbox: Outbox) -> None:
    # given
    notification = Notification.new(
        Channel.SMS,
        TemplateName.ORDER_CONFIRMATION,
        "+15555550100",
        {"order_number": "1042", "total": "$12.00"},
        NOW,
    )
    services.notifications.enqueue(notification)
    # when
    outcome = services.notifications.deliver(notification)
    # then
    assert outcome is Delivery.SENT
    assert aws_outbox.texts() == [
        ("+15555550100", "Order 1042 confirmed, total $12.00. Thank you!")
    ]


def test_a_refused_send_gives_the_claim_back_so_a_retry_can_send_it(
    services: Services, aws_outbox: Outbox
) -> None:
    # given SES refusing mail from a sender it has not verified
    ses = boto3.client("ses", region_name="us-east-1")
    ses.delete_identity(Identity=SENDER)
    notification = reset_email()
    services.notifications.enqueue(notification)
    # when
    with pytest.raises(SendFailed):
        services.notifications.deliver(notification)
    # then nothing was sent and the notification is free again
    assert aws_outbox.emails() == []
    item = store.get(notification.id)
    assert item is not None
    assert item.claimed_at is None
    # and once the sender is verified, the stream's retry sends it
    ses.verify_email_identity(EmailAddress=SENDER)
    assert services.notifications.deliver(notification) is Delivery.SENT
    assert len(aws_outbox.emails()) == 1
