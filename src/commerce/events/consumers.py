"""What the events function does with each kind of change.

Every consumer is idempotent: Lambda delivers a stream record at least once, and retries
a batch from the first record that failed. The dispatch is by the item's ``type`` and
the kind of change; records nobody consumes are skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from commerce.affiliates.events import ENTRY_TYPE, PAYOUT_TYPE, partner_event_of
from commerce.composition import Services
from commerce.events.stream import Change, StreamRecord
from commerce.journeys.crediting import PaidOrder
from commerce.loyalty.commands import OrderRefund, PaidGoods
from commerce.loyalty.model import BonusRule
from commerce.money import Money
from commerce.notifications.service import Delivery, notification_from_image
from commerce.observability.metrics import NOTIFICATIONS_SENT, Metrics
from commerce.orders.model import Order, OrderStatus

log = logging.getLogger("commerce.events")

# Items whose change makes the published catalog snapshot stale (catalog/store.py).
# ProductRating: a review's change moved the rating counts that listings sort and filter by.
CATALOG_ITEM_TYPES = ("Product", "Collection", "Stock", "ProductRating")

Consumer = Callable[[StreamRecord], None]


class OrderOfRecord:
    """The order an Order stream record is about, read at most once.

    The order steps run one after another on the same record; most of them need the
    order as the orders service gives it, none of them changes it, so one read serves all.
    """

    def __init__(self, services: Services, order_id: str) -> None:
        self._services = services
        self._order_id = order_id
        self._read = False
        self._order: Order | None = None

    def __call__(self) -> Order | None:
        if not self._read:
            self._order = self._services.orders.order(self._order_id)
            self._read = True
        return self._order


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
        # Counters also feed the stock movement ledger; products, the price history.
        **{("Stock", change): "stock_changed" for change in Change},
        ("Product", Change.INSERT): "product_changed",
        ("Product", Change.MODIFY): "product_changed",
        ("Notification", Change.INSERT): "deliver_notification",
        ("Order", Change.MODIFY): "order_changed",
        ("JourneyEvent", Change.INSERT): "journey_touch",
        ("Reservation", Change.REMOVE): "release_reservation",
        ("CatalogImport", Change.INSERT): "run_catalog_import",
        ("WebhookDelivery", Change.INSERT): "deliver_webhook",
        (ENTRY_TYPE, Change.INSERT): "publish_partner_event",
        (PAYOUT_TYPE, Change.MODIFY): "publish_partner_event",
        ("Customer", Change.INSERT): "customer_signed_up",
        ("Review", Change.INSERT): "review_written",
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
        """A paid order is counted and credited to its journey; a refund adjusts the credit;
        the change goes out to the webhooks that subscribe to it. Fulfilment schedules
        review requests; a refund cancels them. The order is read once, by the first step
        that needs it, and shared by the rest.

        The paid-order metrics come last: every other step is idempotent, so if one fails
        and the record is retried, nothing is counted twice (the metrics are not).
        """
        read = OrderOfRecord(self._services, str(record.new_image["order_id"]))
        for step in (
            self.publish_order_webhooks,
            self.credit_order,
            self.count_customer_value,
            self.commission_order,
            self.cohort_commission,
            self.report_order,
            self.count_recovered_order,
            self.loyalty_points,
            self.review_requests,
            self.count_paid_order,
        ):
            step(record, read)

    def count_customer_value(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """A paid or refunded order's net value and what it bought from join its
        customer's segment facts (lifetime value, series, authors, collections); the
        customers context counts each order once and takes refunds off by difference."""
        new = record.new_image
        if new.get("status") not in CREDITED_STATES:
            return
        order = read()
        if order is not None and order.customer_id is not None:
            self._services.customer_marketing.record_paid_order(order)

    def publish_order_webhooks(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """``order.paid``/``refunded``/``cancelled``/``fulfilled`` to the subscribed
        endpoints (the referring partner's too). The event ids come from the change, so a
        replayed record publishes nothing new."""
        new, old = record.new_image, record.old_image
        if new.get("status") == old.get("status") and new.get("status") not in REFUND_STATES:
            return
        order = read()
        if order is None:
            return
        previous = old.get("status")
        known = {s.value: s for s in OrderStatus}
        self._services.webhooks.publish_order_change(
            order, known.get(previous) if isinstance(previous, str) else None
        )

    def publish_partner_event(self, record: StreamRecord) -> None:
        """A new commission or reversal entry, or a payout marked paid, goes out to the
        partner's (and staff's) webhooks; the event id comes from the entry or payout, so
        a redelivered record writes no second delivery."""
        assert record.item_type is not None
        event = partner_event_of(record.item_type, record.new_image, record.old_image)
        if event is not None:
            self._services.webhooks.publish(
                event.event_type, event.event_id, event.data, event.partner_id
            )

    def deliver_webhook(self, record: StreamRecord) -> None:
        """A delivery written to the outbox: POST it now. A failed POST is not an error of
        the record: the delivery is rescheduled, and the jobs function retries it."""
        self._services.webhooks.deliver(str(record.new_image["delivery_id"]))

    def report_order(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """A paid order's sale goes into the report rollups once; a refund, what is new of it."""
        if record.new_image.get("status") not in CREDITED_STATES:
            return
        order = read()
        if order is not None:
            self._services.reports.record_order(order)

    def stock_changed(self, record: StreamRecord) -> None:
        """A counter changed: the snapshot is stale, and the change's movement gets the
        level it left (or, made by the catalog, becomes a movement of its own)."""
        self.publish_catalog(record)
        new, old = record.new_image, record.old_image
        image = new or old
        product_id, variant_id = image.get("product_id"), image.get("variant_id")
        if not isinstance(product_id, str) or not isinstance(variant_id, str):
            return
        moved = new.get("last_move")
        created = record.approximate_created
        self._services.inventory.counter_changed(
            (product_id, variant_id),
            before=int(old["available"]) if "available" in old else None,
            after=int(new["available"]) if "available" in new else None,
            movement=str(moved) if moved and moved != old.get("last_move") else None,
            at=datetime.fromtimestamp(time.time() if created is None else created, UTC),
            token=record.sequence_number,
        )

    def product_changed(self, record: StreamRecord) -> None:
        """A product changed: the snapshot is stale, and changed prices are logged."""
        self.publish_catalog(record)
        product_id = record.new_image.get("product_id")
        if isinstance(product_id, str):
            self._services.reports.record_prices(product_id)

    def count_recovered_order(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """A paid order that a recovery message brought back counts in recovery's results
        (on the change into paid; the recovery service counts each order once)."""
        new, old = record.new_image, record.old_image
        if new.get("status") != PAID or old.get("status") == PAID:
            return
        order = read()
        if order is not None and order.paid_amount is not None:
            self._services.recovery.order_paid(order, paid_order_of(order).paid_at)

    def loyalty_points(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """A customer's paid order earns points, its refunds take them back pro rata, and an
        order that ends unpaid gives back the points it spent: each once, however often the
        record comes (the ledger keeps one entry per order event and refunded amount)."""
        status = record.new_image.get("status")
        if status not in CREDITED_STATES and status not in VOIDED_STATES:
            return
        order = read()
        if order is None or order.customer_id is None:
            return
        loyalty = self._services.loyalty
        if status in VOIDED_STATES:
            loyalty.order_voided(order.customer_id, order.id)
            return
        if order.paid_amount is None:
            return
        goods = goods_of(order)
        loyalty.order_paid(PaidGoods(order.id, order.customer_id, goods, paid_at_of(order)))
        refunded = order.refunded_amount.amount if order.refunded_amount is not None else 0
        if refunded > 0:
            loyalty.order_refunded(
                OrderRefund(order.id, order.customer_id, goods, refunded, order.paid_amount.amount)
            )

    def review_written(self, record: StreamRecord) -> None:
        """A customer's first review earns the first-review bonus, once: its business key
        is the same for every review, so later ones (and redelivered records) add nothing."""
        customer_id = record.new_image.get("customer_id")
        if isinstance(customer_id, str) and customer_id:
            self._services.loyalty.award_bonus(customer_id, BonusRule.FIRST_REVIEW, FIRST_REVIEW)

    def customer_signed_up(self, record: StreamRecord) -> None:
        """A new account's sign-up bonus, once (its business key is the account)."""
        customer_id = str(record.keys.get("PK", "")).removeprefix("CUSTOMER#")
        if customer_id:
            self._services.loyalty.award_bonus(customer_id, BonusRule.SIGN_UP, "account")

    def review_requests(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """A fulfilled or refunded order: requests scheduled (once per line) or cancelled,
        and a full refund's reviews lose their verified mark. Every change of such an
        order is read (a fulfilled order partly refunded stays FULFILLED); the reviews
        service makes a repeated one change nothing."""
        if record.new_image.get("status") not in REVIEW_EVENTS:
            return
        order = read()
        if order is not None:
            self._services.reviews.order_changed(order)

    def credit_order(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """Credit a paid order's journey under every model; take refunds from the credit.

        Idempotent both ways: the credit is put once per order, and a refund is taken
        only for what was refunded beyond what the credit already gave back.
        """
        new = record.new_image
        if new.get("status") not in CREDITED_STATES:
            return
        order = read()
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

    def commission_order(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """A paid order's affiliate commission, and the reversal of what a refund gave back.

        Idempotent: the commission is written once per order, a refund reversed only for
        what it refunded beyond the reversals already written.
        """
        if record.new_image.get("status") not in CREDITED_STATES:
            return
        order = read()
        if order is not None:
            self._services.affiliates.order_settled(order)

    def cohort_commission(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """The order's commission, net of reversals, joins its cohort's commission cost.

        After ``commission_order``, so a payment or refund is seen with the ledger's
        entries already written; the difference since the last join is what moves, so a
        replayed record moves nothing.
        """
        if record.new_image.get("status") not in CREDITED_STATES:
            return
        order = read()
        if order is None:
            return
        commission = self._services.affiliates.net_commission(order.id)
        if commission is not None:
            self._services.attribution.commission_settled(order.id, commission)

    def journey_touch(self, record: StreamRecord) -> None:
        """A touch moves its visitor's open journey to the next path count."""
        channel = record.new_image.get("mc")
        visitor = str(record.keys.get("PK", "")).removeprefix("VISITOR#")
        if isinstance(channel, str) and visitor:
            self._services.attribution.touch_recorded(visitor, channel)
        # A click on a partner's link binds the visitor to it and counts the partner's day.
        click = self._services.attribution.affiliate_click_of(record.keys, record.new_image)
        if click is not None:
            self._services.affiliates.visitor_clicked(*click)

    def count_paid_order(self, record: StreamRecord, read: OrderOfRecord) -> None:
        """Orders and revenue, counted once: on the change *into* the paid state; and the
        order's basket for recommendations (co-purchases, the customer's affinity), which
        the recommendations service counts once per order however often it comes.

        The order is read through the orders service, not from the image's storage layout;
        its lines and total never change after checkout, so a later state gives the same.
        """
        new, old = record.new_image, record.old_image
        if new.get("status") != PAID or old.get("status") == PAID:
            return
        order = read()
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
# The business key of the first-review bonus: one per customer, whichever review it was.
FIRST_REVIEW = "first-review"
# The order states whose arrival changes review requests.
REVIEW_EVENTS = frozenset({"FULFILLED", "PARTIALLY_REFUNDED", "REFUNDED"})
# The states of an order that was paid (refunded ones were paid first).
CREDITED_STATES = frozenset({"PAID", "FULFILLED", "PARTIALLY_REFUNDED", "REFUNDED"})
# A refund may leave the state as it was (a second partial one): the amount tells.
REFUND_STATES = frozenset({"PARTIALLY_REFUNDED", "REFUNDED"})


# The states of an order that ended without being paid.
VOIDED_STATES = frozenset({"CANCELLED", "EXPIRED"})


def paid_at_of(order: Order) -> datetime:
    """When the order moved to paid (its last change when the history does not say)."""
    return next(
        (change.at for change in order.history if change.to_status.value == PAID),
        order.updated_at,
    )


def goods_of(order: Order) -> Money:
    """What the order's goods cost after every discount (points included), without tax:
    what points are earned on. Shipping is not a line, so it never counts."""
    amount = 0
    for line in order.lines:
        tax = line.tax.amount if order.taxes_included and line.tax is not None else 0
        amount += line.total.amount - tax
    return Money(amount, order.currency)


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
