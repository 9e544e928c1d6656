"""Each paid order's journey and its credits per model, net of refunds.

Keys (see ``docs/data-model.md``):

- ``ORDERJOURNEY#<order id> / JOURNEY``: the touches that earned the order (id, time, channel,
  source, medium, campaign, affiliate, app), each model's credit per touch net of
  refunds, what was refunded so far, and when the weights used were fitted. Put once
  (``attribute_not_exists``) in the transaction that adds the order to the reports, so
  a stream record delivered twice credits once; a refund rewrites it on the condition
  that ``refunded`` is still what it read, so each refund is taken once.
  GSI1 ``JOURNEYS#CUSTOMER#<customer id> / <paid at>#<order id>`` finds a customer's
  credited orders for an erasure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.attribution import Model
from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.journeys.crediting import JourneyTouch, OrderCredit
from commerce.money import Currency

JOURNEY_SK = "JOURNEY"


class OrderJourneyItem(TableItem, discriminator="OrderJourney"):
    """One paid order's credited journey."""

    order_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    value = NumberAttribute()
    refunded = NumberAttribute()
    paid_at = UTCDateTimeAttribute()
    customer_id = UnicodeAttribute(null=True)
    payment_method = UnicodeAttribute()
    body = UnicodeAttribute()
    weights_fitted_at = UTCDateTimeAttribute(null=True)
    order_number = NumberAttribute()
    cohort = UnicodeAttribute(null=True)


def journey_pk(order_id: str) -> str:
    return f"ORDERJOURNEY#{order_id}"


def customer_journeys_pk(customer_id: str) -> str:
    return f"JOURNEYS#CUSTOMER#{customer_id}"


def _body(credit: OrderCredit) -> str:
    return json.dumps(
        {
            "touches": [
                [
                    t.touch_id,
                    t.at.isoformat(),
                    t.channel,
                    t.source,
                    t.medium,
                    t.campaign,
                    t.affiliate,
                    t.app,
                    t.mobile,
                ]
                for t in credit.touches
            ],
            "credits": {m.value: list(p) for m, p in credit.credits.items()},
        },
        separators=(",", ":"),
    )


def _credit(item: OrderJourneyItem) -> OrderCredit:
    body: dict[str, Any] = json.loads(item.body)
    touches = tuple(
        JourneyTouch(t[0], datetime.fromisoformat(t[1]), t[2], t[3], t[4], t[5], t[6], t[7], t[8])
        for t in body["touches"]
    )
    return OrderCredit(
        order_id=item.order_id,
        currency=Currency(item.currency),
        value=int(item.value),
        paid_at=item.paid_at.astimezone(UTC),
        customer_id=item.customer_id,
        payment_method=item.payment_method,
        touches=touches,
        credits={Model(m): tuple(p) for m, p in body["credits"].items()},
        refunded=int(item.refunded),
        weights_fitted_at=item.weights_fitted_at,
        order_number=int(item.order_number),
        cohort=item.cohort,
    )


def _item(credit: OrderCredit) -> OrderJourneyItem:
    customer = credit.customer_id
    return OrderJourneyItem(
        pk=journey_pk(credit.order_id),
        sk=JOURNEY_SK,
        gsi1pk=customer_journeys_pk(customer) if customer else None,
        gsi1sk=f"{credit.paid_at.isoformat()}#{credit.order_id}" if customer else None,
        order_id=credit.order_id,
        currency=credit.currency.value,
        value=credit.value,
        refunded=credit.refunded,
        paid_at=credit.paid_at,
        customer_id=customer,
        payment_method=credit.payment_method,
        body=_body(credit),
        weights_fitted_at=credit.weights_fitted_at,
        order_number=credit.order_number,
        cohort=credit.cohort,
    )


def get(order_id: str) -> OrderCredit | None:
    """The order's credited journey (strongly consistent); None before it was paid."""
    try:
        item = OrderJourneyItem.get(journey_pk(order_id), JOURNEY_SK, consistent_read=True)
    except OrderJourneyItem.DoesNotExist:
        return None
    return _credit(item)


def add_new(writes: WriteSet, credit: OrderCredit) -> None:
    """Store a first credit; the write set fails on ``credited`` if it exists already."""
    writes.put(_item(credit), OrderJourneyItem.pk.does_not_exist(), label="credited")


def replace_after_refund(writes: WriteSet, credit: OrderCredit, refunded_before: int) -> None:
    """Store the credit net of a refund, if no other refund was taken meanwhile."""
    writes.put(_item(credit), OrderJourneyItem.refunded == refunded_before, label="refunded")


def delete_of_customer(customer_id: str) -> int:
    """Delete every credited journey of the customer (erasure); how many there were."""
    items = list(OrderJourneyItem.gsi1.query(customer_journeys_pk(customer_id)))
    with OrderJourneyItem.batch_write() as batch:
        for item in items:
            batch.delete(OrderJourneyItem(pk=item.pk, sk=item.sk))
    return len(items)
