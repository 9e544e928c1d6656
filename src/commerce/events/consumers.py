"""What the events function does with each kind of change.

Every consumer is idempotent: Lambda delivers a stream record at least once, and retries
a batch from the first record that failed. The dispatch is by the item's ``type`` and
the kind of change; records nobody consumes are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ClassVar

from commerce.composition import Services
from commerce.events.stream import Change, StreamRecord
from commerce.notifications.service import Delivery, notification_from_image
from commerce.observability.metrics import NOTIFICATIONS_SENT, Metrics

log = logging.getLogger("commerce.events")

Consumer = Callable[[StreamRecord], None]


class Consumers:
    """The dispatch table of the events function.

    serverless.yml filters the stream to these (type, change) pairs, so that the function
    is not invoked for the many changes nobody consumes; a unit test keeps the two equal.
    """

    _ROUTES: ClassVar[dict[tuple[str, Change], str]] = {
        ("Notification", Change.INSERT): "deliver_notification",
        ("Order", Change.MODIFY): "count_paid_order",
        ("Reservation", Change.REMOVE): "release_reservation",
        ("CatalogImport", Change.INSERT): "run_catalog_import",
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

    def deliver_notification(self, record: StreamRecord) -> None:
        notification = notification_from_image(record.new_image)
        outcome = self._services.notifications.deliver(notification)
        if outcome is Delivery.SENT:
            self._metrics.count(NOTIFICATIONS_SENT, channel=notification.channel.value)

    def count_paid_order(self, record: StreamRecord) -> None:
        """Orders and revenue, counted once: on the change *into* the paid state; and the
        order's basket for recommendations (co-purchases, the customer's affinity), which
        the recommendations service counts once per order however often it comes.

        The order is read through the orders service, not from the image's storage layout;
        its lines and total never change after checkout, so a later state gives the same.
        """
        new, old = record.new_image, record.old_image
        if new.get("status") != PAID or old.get("status") == PAID:
            return
        order = self._services.orders.order(str(new["order_id"]))
        if order is None:
            log.warning("paid order not found", extra={"order_id": new["order_id"]})
            return
        # Recommendations first: if they fail, the retried record must not count the
        # metrics twice; they count the order once themselves.
        self._services.recommendations.record_paid_order(order)
        self._metrics.order_paid(order.total.currency.value, order.total.amount)

    def release_reservation(self, record: StreamRecord) -> None:
        """DynamoDB's TTL removed an unpaid order's reservation: give its stock back.

        Only TTL deletions: the orders service deletes reservations itself when an order is
        paid, cancelled or expired, and those removals need nothing more.
        """
        if record.removed_by_ttl:
            self._services.orders.reservation_removed(str(record.old_image["order_id"]))

    def run_catalog_import(self, record: StreamRecord) -> None:
        """A staff member queued a catalog file (``catalogImportStart``): import it here.

        The job is claimed first, so a redelivered record (or a local runner that took it)
        imports nothing twice.
        """
        self._services.catalog_exchange.run_job(str(record.new_image["job_id"]))


PAID = "PAID"
