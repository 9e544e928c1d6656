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
from commerce.journeys.crediting import PaidOrder
from commerce.notifications.service import Delivery, notification_from_image
from commerce.observability.metrics import NOTIFICATIONS_SENT, Metrics
from commerce.orders.model import Order

log = logging.getLogger("commerce.events")

# Items whose change makes the published catalog snapshot stale (catalog/store.py).
# ProductRating: a review's change moved the rating counts that listings sort and filter by.
CATALOG_ITEM_TYPES = ("Product", "Collection", "Stock", "ProductRating")

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
        ("Order", Change.MODIFY): "order_changed",
        ("JourneyEvent", Change.INSERT): "journey_touch",
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

    def order_changed(self, record: StreamRecord) -> None:
        """A paid order is counted and credited to its journey; a refund adjusts the credit.
        Fulfilment schedules review requests; a refund cancels them."""
        self.count_paid_order(record)
        self.credit_order(record)
        self.review_requests(record)

    def review_requests(self, record: StreamRecord) -> None:
        """A fulfilled or refunded order: requests scheduled (once per line) or cancelled,
        and a full refund's reviews lose their verified mark. Every change of such an
        order is read (a fulfilled order partly refunded stays FULFILLED); the reviews
        service makes a repeated one change nothing."""
        if record.new_image.get("status") not in REVIEW_EVENTS:
            return
        new = record.new_image
        order = self._services.orders.order(str(new["order_id"]))
        if order is not None:
            self._services.reviews.order_changed(order)

    def credit_order(self, record: StreamRecord) -> None:
        """Credit a paid order's journey under every model; take refunds from the credit.

        Idempotent both ways: the credit is put once per order, and a refund is taken
        only for what was refunded beyond what the credit already gave back.
        """
        new = record.new_image
        if new.get("status") not in CREDITED_STATES:
            return
        order = self._services.orders.order(str(new["order_id"]))
        if order is None or order.paid_amount is None:
            return
        attribution = self._services.attribution
        if record.old_image.get("status") not in CREDITED_STATES:
            attribution.credit_paid_order(paid_order_of(order))
        refunded = order.refunded_amount.amount if order.refunded_amount is not None else 0
        if refunded > 0:
            if attribution.credit_of(order.id) is None:
                attribution.credit_paid_order(paid_order_of(order))
            attribution.refund_order(order.id, refunded)

    def journey_touch(self, record: StreamRecord) -> None:
        """A touch moves its visitor's open journey to the next path count."""
        channel = record.new_image.get("mc")
        visitor = str(record.keys.get("PK", "")).removeprefix("VISITOR#")
        if isinstance(channel, str) and visitor:
            self._services.attribution.touch_recorded(visitor, channel)

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
# The order states whose arrival changes review requests.
REVIEW_EVENTS = frozenset({"FULFILLED", "PARTIALLY_REFUNDED", "REFUNDED"})
# The states of an order that was paid (refunded ones were paid first).
CREDITED_STATES = frozenset({"PAID", "FULFILLED", "PARTIALLY_REFUNDED", "REFUNDED"})


def paid_order_of(order: Order) -> PaidOrder:
    """What crediting needs of an order: its value (the total paid) and who placed it."""
    paid_at = next(
        (change.at for change in order.history if change.to_status.value == PAID),
        order.updated_at,
    )
    assert order.paid_amount is not None
    return PaidOrder(
        order_id=order.id,
        value=order.paid_amount.amount,
        currency=order.paid_amount.currency,
        paid_at=paid_at,
        customer_id=order.customer_id,
        visitor_id=order.visitor_id,
        affiliate_id=order.affiliate_id,
        payment_method=order.payment_method,
    )
