"""Notification use cases: enqueue into the outbox, deliver from it exactly once.

API for other contexts (stable):

- ``Notification.new(channel, template, recipient, data, now)`` from
  ``commerce.notifications.model`` builds one (``Channel.EMAIL``/``Channel.SMS``/
  ``Channel.PUSH`` (recipient: an SNS platform endpoint ARN),
  ``TemplateName.PASSWORD_RESET``/``ORDER_CONFIRMATION``/``ABANDONED_CART``/
  ``RECOVERY_OFFER``/``DOWNLOAD_READY``;
  ``data`` maps strings to strings: see ``templates.required_keys(template)``).
- ``add_to_outbox(writes, notification, label=...)`` puts it in your own ``WriteSet``, so
  the notification is written atomically with your business change.
- ``services.notifications.enqueue(notification)`` writes it on its own.

Nothing is sent in the request: the table's stream delivers the INSERT to the events
function (``commerce.events.handler``), which reads it with ``notification_from_image``
and calls ``deliver``. Locally, ``deliver`` can be
called in process (tests, the CLI).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from commerce.db.writes import WriteSet
from commerce.notifications import store
from commerce.notifications.model import Notification
from commerce.notifications.senders import Sender
from commerce.notifications.templates import render

log = logging.getLogger("commerce.notifications")


def add_to_outbox(writes: WriteSet, notification: Notification, *, label: str) -> None:
    """Enqueue ``notification`` in another use case's transaction: written only if that
    change is, and at most once (an id already in the outbox fails the ``label`` check)."""
    writes.put(store.outbox_item(notification), store.new_item_condition(), label=label)


def notification_from_image(image: Mapping[str, Any]) -> Notification:
    """The notification an outbox item's stream image holds.

    ``KeyError``/``ValueError`` when the image is not a notification's.
    """
    return store.notification_from_image(dict(image))


class Delivery(enum.StrEnum):
    """What ``deliver`` did."""

    SENT = "SENT"
    ALREADY_CLAIMED = "ALREADY_CLAIMED"


class NotificationsService:
    """Enqueue and deliver notifications."""

    def __init__(
        self,
        sender: Callable[[], Sender],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        # A factory: the sender (and its boto3 clients) is built on the first delivery only.
        self._sender_factory = sender
        self._sender: Sender | None = None
        self._clock = clock

    def enqueue(self, notification: Notification) -> None:
        """Write ``notification`` to the outbox on its own."""
        store.insert(notification)

    def deliver(self, notification: Notification) -> Delivery:
        """Send ``notification`` unless it was claimed before.

        A claim (conditional update) comes first, so a stream record delivered twice sends
        once. A failed send gives the claim back and raises, so the stream retries it; a
        crash between claim and send loses that message rather than risk sending it twice.
        ``RenderError`` (bad data) and ``SendFailed`` propagate to the caller.
        """
        message = render(notification)
        if not store.claim(notification.id, self._clock()):
            log.info("notification already claimed", extra={"notification_id": notification.id})
            return Delivery.ALREADY_CLAIMED
        try:
            provider_id = self._get_sender().send(
                notification.channel, notification.recipient, message
            )
        except Exception:
            store.release(notification.id)
            raise
        store.mark_sent(notification.id, self._clock(), provider_id)
        log.info(
            "notification sent",
            extra={
                "notification_id": notification.id,
                "channel": notification.channel.value,
                "template": notification.template.value,
            },
        )
        return Delivery.SENT

    def _get_sender(self) -> Sender:
        if self._sender is None:
            self._sender = self._sender_factory()
        return self._sender
