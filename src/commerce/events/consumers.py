"""What the events function does with each kind of change.

Every consumer is idempotent: Lambda delivers a stream record at least once, and retries
a batch from the first record that failed. The dispatch is by the item's ``type`` and
the kind of change; records nobody consumes are skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import ClassVar

from commerce.composition import Services
from commerce.events.stream import Change, StreamRecord
from commerce.notifications.service import Delivery, notification_from_image
from commerce.observability.metrics import NOTIFICATIONS_SENT, Metrics

log = logging.getLogger("commerce.events")

# Items whose change makes the published catalog snapshot stale (catalog/store.py).
CATALOG_ITEM_TYPES = ("Product", "Collection", "Stock")

Consumer = Callable[[StreamRecord], None]


class Consumers:
    """The dispatch table of the events function.

    serverless.yml filters the stream to these (type, change) pairs, so that the function
    is not invoked for the many changes nobody consumes; a unit test keeps the two equal.
    """

    _ROUTES: ClassVar[dict[tuple[str, Change], str]] = {
        **{
            (item_type, change): "publish_catalog"
            for item_type in CATALOG_ITEM_TYPES
            for change in Change
        },
        ("Notification", Change.INSERT): "deliver_notification",
        ("Order", Change.MODIFY): "count_paid_order",
        ("Reservation", Change.REMOVE): "release_reservation",
    }

    def __init__(self, services: Services, metrics: Metrics) -> None:
        self._services = services
        self._metrics = metrics
        self._table: dict[tuple[str, Change], Consumer] = {
            key: getattr(self, method) for key, method in self._ROUTES.items()
        }

    @classmethod
    def dispatch_keys(cls) -> list[tuple[str, Change]]:
        """The (item type, change) pairs a consumer handles."""
        return list(cls._ROUTES)

    def handle(self, record: StreamRecord) -> bool:
        """Consume ``record``; False when no consumer wants it. Raises on failure."""
        if record.item_type is None:
            return False
        consumer = self._table.get((record.item_type, record.change))
        if consumer is None:
            return False
        consumer(record)
        return True

    def publish_catalog(self, record: StreamRecord) -> None:
        """A new catalog snapshot, unless one whose read began after this change is out.

        A batch of changes costs one catalog read: the first record publishes, the rest
        find that snapshot. The stream gives whole seconds, hence the second added.
        """
        created = record.approximate_created
        changed_at = time.time() if created is None else created + 1
        self._services.catalog.publish_unless_published_since(int(changed_at * 1_000_000))

    def deliver_notification(self, record: StreamRecord) -> None:
        notification = notification_from_image(record.new_image)
        outcome = self._services.notifications.deliver(notification)
        if outcome is Delivery.SENT:
            self._metrics.count(NOTIFICATIONS_SENT, channel=notification.channel.value)

    def count_paid_order(self, record: StreamRecord) -> None:
        """Orders and revenue, counted once: on the change *into* the paid state.

        The total is read through the orders service, not from the image's storage layout;
        it never changes after checkout, so a later state of the order gives the same one.
        """
        new, old = record.new_image, record.old_image
        if new.get("status") != PAID or old.get("status") == PAID:
            return
        order = self._services.orders.order(str(new["order_id"]))
        if order is None:
            log.warning("paid order not found", extra={"order_id": new["order_id"]})
            return
        self._metrics.order_paid(order.total.currency.value, order.total.amount)

    def release_reservation(self, record: StreamRecord) -> None:
        """DynamoDB's TTL removed an unpaid order's reservation: give its stock back.

        Only TTL deletions: the orders service deletes reservations itself when an order is
        paid, cancelled or expired, and those removals need nothing more.
        """
        if record.removed_by_ttl:
            self._services.orders.reservation_removed(str(record.old_image["order_id"]))


PAID = "PAID"
