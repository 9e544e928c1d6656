"""Each paid order's journey and its credits per model, net of refunds.

Keys (see ``docs/data-model.md``):

- ``ORDERJOURNEY#<order id> / JOURNEY``: the touches that earned the order (id, time, channel,
  source, medium, campaign, affiliate, app), each model's credit per touch net of
  refunds, what was refunded so far, and when the weights used were fitted. Put once
  (``attribute_not_exists``) in the transaction that adds the order to the reports, so
  a stream record delivered twice credits once; a refund rewrites it on the condition
  that ``refunded`` is still what it read, so each refund is taken once.
  GSI1 ``JOURNEYS#CUSTOMER#<customer id> / <paid at>#<order id>`` finds a customer's
  credited orders for an erasure; GSI2 ``ORDERJOURNEYS#PAID / <paid at>#<order id>``
  pages through the orders paid in a date range for a re-credit.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
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
    commission = NumberAttribute(null=True)
    revision = NumberAttribute(null=True)


PAID_PK = "ORDERJOURNEYS#PAID"


def paid_sk(credit: OrderCredit) -> str:
    return f"{credit.paid_at.astimezone(UTC).isoformat()}#{credit.order_id}"


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
            **(
                {"gross": {m.value: list(p) for m, p in credit.gross.items()}}
                if credit.gross is not None
                else {}
            ),
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
        gross={Model(m): tuple(p) for m, p in body["gross"].items()} if "gross" in body else None,
        refunded=int(item.refunded),
        weights_fitted_at=item.weights_fitted_at,
        order_number=int(item.order_number),
        cohort=item.cohort,
        commission=int(item.commission or 0),
        revision=int(item.revision or 0),
    )


def _item(credit: OrderCredit) -> OrderJourneyItem:
    customer = credit.customer_id
    return OrderJourneyItem(
        pk=journey_pk(credit.order_id),
        sk=JOURNEY_SK,
        gsi1pk=customer_journeys_pk(customer) if customer else None,
        gsi1sk=f"{credit.paid_at.isoformat()}#{credit.order_id}" if customer else None,
        gsi2pk=PAID_PK,
        gsi2sk=paid_sk(credit),
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
        commission=credit.commission,
        revision=credit.revision,
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


def rewrite(writes: WriteSet, credit: OrderCredit, label: str) -> None:
    """Store the changed credit (as the next revision) if nothing rewrote it since it
    was read at ``credit.revision``; the write set fails on ``label`` otherwise."""
    condition = OrderJourneyItem.revision == credit.revision
    if credit.revision == 0:
        # Credits stored before revisions were kept have none.
        condition = (
            OrderJourneyItem.pk.exists() & OrderJourneyItem.revision.does_not_exist()
        ) | condition
    writes.put(_item(replace(credit, revision=credit.revision + 1)), condition, label=label)


def delete_of_customer(customer_id: str) -> int:
    """Delete every credited journey of the customer (erasure); how many there were."""
    items = list(OrderJourneyItem.gsi1.query(customer_journeys_pk(customer_id)))
    with OrderJourneyItem.batch_write() as batch:
        for item in items:
            batch.delete(OrderJourneyItem(pk=item.pk, sk=item.sk))
    return len(items)


def paid_between(
    start: date, end: date, after: str | None, limit: int
) -> tuple[list[OrderCredit], str | None]:
    """Up to ``limit`` credits of orders paid from ``start`` (inclusive) to ``end``
    (exclusive), oldest first, after the cursor ``after``; and the next page's cursor
    (None on the last page). A cursor is a GSI2 sort key: ``<paid at>#<order id>``."""
    last_key = None
    if after is not None:
        order_id = after.rpartition("#")[2]
        last_key = {
            "PK": {"S": journey_pk(order_id)},
            "SK": {"S": JOURNEY_SK},
            "GSI2PK": {"S": PAID_PK},
            "GSI2SK": {"S": after},
        }
    found: list[OrderCredit] = []
    # The upper bound is the end day itself: every sort key of that day is longer and so
    # sorts after it.
    pages = OrderJourneyItem.gsi2.query(
        PAID_PK,
        OrderJourneyItem.gsi2sk.between(start.isoformat(), end.isoformat()),
        limit=limit,
        last_evaluated_key=last_key,
    )
    for item in pages:
        if isinstance(item, OrderJourneyItem):
            found.append(_credit(item))
    cursor = pages.last_evaluated_key
    return found, None if not cursor else str(cursor["GSI2SK"]["S"])
