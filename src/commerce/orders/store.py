"""Orders, their stock reservations and order numbers in the single table.

Keys (see ``docs/data-model.md``):

- ``ORDER#<id> / ORDER``: the order, one item (lines, addresses, history and refunds in
  one JSON attribute; read and written whole). ``version`` makes every change a
  compare-and-swap. GSI1 ``ORDERS / <created>#<id>`` lists every order by date; GSI2
  ``ORDERS#<status> / <created>#<id>`` lists one status by date (staff filters).
- ``ORDER#<id> / RESERVATION``: the stock an unpaid order holds, until ``ttl`` (the end
  of the payment window). GSI1 ``RESERVATIONS / <expiry>#<id>`` finds the expired ones
  with one Query, no Scan.
- ``CUSTOMER#<customer id> / ORDER#<created>#<id>``: one per order a signed-in customer
  placed, written in its checkout transaction; one Query lists a customer's orders by
  date (the order item's two indexes already serve staff).
- ``COUNTER / ORDER_NUMBER``: the last order number handed out (an atomic UpdateItem
  before the checkout transaction; a checkout that then fails leaves a gap).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError

from commerce.catalog.model import VariantKind
from commerce.db.table import TableItem
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import is_id
from commerce.money import Currency, Money
from commerce.orders.model import (
    Delivery,
    Discount,
    Dispute,
    DisputeStatus,
    Order,
    OrderFilter,
    OrderLine,
    OrderStatus,
    PostalAddress,
    RefundRequest,
    RefundState,
    StatusChange,
    StockState,
    Tracking,
)

ORDER_SK = "ORDER"
RESERVATION_SK = "RESERVATION"
ALL_ORDERS = "ORDERS"
RESERVATIONS = "RESERVATIONS"
ORDER_LABEL = "order"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def status_partition(status: OrderStatus) -> str:
    return f"ORDERS#{status.value}"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


CUSTOMER_ORDER_PREFIX = "ORDER#"


def _instant(at: datetime) -> str:
    """A sortable UTC timestamp (fixed width, so strings sort as times do)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OrderItem(TableItem, discriminator="Order"):
    """An order, whole."""

    order_id = UnicodeAttribute()
    number = NumberAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    customer_id = UnicodeAttribute(null=True)
    body = JSONAttribute()
    version = VersionAttribute()


class CustomerOrderItem(TableItem, discriminator="CustomerOrder"):
    """That a customer placed an order: their order history, newest first by sort key."""

    order_id = UnicodeAttribute()


class ReservationItem(TableItem, discriminator="Reservation"):
    """Stock an unpaid order holds until ``ttl``."""

    order_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()


class CounterItem(TableItem, discriminator="Counter"):
    """A number handed out in sequence."""

    value = NumberAttribute(default=0)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as stored, with the version a change must match."""

    order: Order
    version: int


class OrderChanged(Exception):
    """The order changed since it was read; nothing was written."""


# -- conversions ---------------------------------------------------------------------------


def _money(m: Money | None) -> list[Any] | None:
    return None if m is None else [m.amount, m.currency.value]


def _from_money(raw: list[Any] | None) -> Money | None:
    return None if raw is None else Money(int(raw[0]), Currency(raw[1]))


def _need(raw: list[Any]) -> Money:
    money = _from_money(raw)
    assert money is not None
    return money


def _when(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def _from_when(raw: str | None) -> datetime | None:
    return None if raw is None else datetime.fromisoformat(raw)


def _line_json(line: OrderLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "product": line.product_id,
        "variant": line.variant_id,
        "kind": line.kind.value,
        "title": line.title,
        "variantTitle": line.variant_title,
        "sku": line.sku,
        "quantity": line.quantity,
        "unitPrice": _money(line.unit_price),
        "total": _money(line.total),
        "tax": _money(line.tax),
        "discounts": [[d.title, _money(d.amount), d.promotion_id, d.code] for d in line.discounts],
        "unitCost": _money(line.unit_cost),
        "collections": list(line.collection_ids),
    }


def _line(raw: dict[str, Any]) -> OrderLine:
    return OrderLine(
        id=raw["id"],
        product_id=raw["product"],
        variant_id=raw["variant"],
        kind=VariantKind(raw["kind"]),
        title=raw["title"],
        variant_title=raw["variantTitle"],
        sku=raw["sku"],
        quantity=int(raw["quantity"]),
        unit_price=_need(raw["unitPrice"]),
        total=_need(raw["total"]),
        tax=_from_money(raw["tax"]),
        discounts=tuple(
            Discount(d[0], _need(d[1]), *(d[2:4] if len(d) >= 4 else ())) for d in raw["discounts"]
        ),
        unit_cost=_from_money(raw.get("unitCost")),
        collection_ids=tuple(raw.get("collections") or ()),
    )


_ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
)


def _body(order: Order) -> dict[str, Any]:
    address = order.shipping_address
    delivery = order.delivery
    tracking = order.tracking
    return {
        "updatedAt": _when(order.updated_at),
        "currency": order.currency.value,
        "email": order.email,
        "phone": order.phone,
        "lines": [_line_json(line) for line in order.lines],
        "subtotal": _money(order.subtotal),
        "shipping": _money(order.shipping),
        "shippingTax": _money(order.shipping_tax),
        "tax": _money(order.tax),
        "total": _money(order.total),
        "taxesIncluded": order.taxes_included,
        "address": None if address is None else [getattr(address, f) for f in _ADDRESS_FIELDS],
        "delivery": None
        if delivery is None
        else [delivery.option_id, delivery.title, _money(delivery.price)],
        "stock": order.stock.value,
        "reservedUntil": _when(order.reserved_until),
        "history": [
            [_when(h.at), h.from_status and h.from_status.value, h.to_status.value, h.actor, h.note]
            for h in order.history
        ],
        "access": order.access_digest,
        "intent": order.payment_intent_id,
        "paymentError": order.payment_error,
        "paid": _money(order.paid_amount),
        "refunded": _money(order.refunded_amount),
        "refunds": [
            [r.seq, _money(r.amount), r.reason, r.actor, _when(r.at), r.state.value, r.refund_id]
            for r in order.refunds
        ],
        "tracking": None if tracking is None else [tracking.carrier, tracking.number, tracking.url],
        "fulfilledAt": _when(order.fulfilled_at),
        "attention": order.attention,
        "discount": _money(order.discount),
        "codes": list(order.discount_codes),
        "affiliate": order.affiliate_id,
        "visitor": order.visitor_id,
        "cart": order.cart_digest,
        "payment_method": order.payment_method,
        "channel": order.sales_channel,
        **(
            {
                "disputes": [
                    [d.id, _money(d.amount), d.status.value, _when(d.opened_at), _when(d.closed_at)]
                    for d in order.disputes
                ]
            }
            if order.disputes
            else {}
        ),
    }


def _order(item: OrderItem) -> Order:
    body = item.body
    address = body.get("address")
    delivery = body.get("delivery")
    tracking = body.get("tracking")
    updated = _from_when(body["updatedAt"])
    reserved = _from_when(body["reservedUntil"])
    assert updated is not None
    assert reserved is not None
    return Order(
        id=item.order_id,
        number=int(item.number),
        created_at=item.created_at,
        updated_at=updated,
        currency=Currency(body["currency"]),
        email=body.get("email"),
        phone=body.get("phone"),
        customer_id=item.customer_id,
        lines=tuple(_line(raw) for raw in body["lines"]),
        subtotal=_need(body["subtotal"]),
        shipping=_need(body["shipping"]),
        shipping_tax=_from_money(body.get("shippingTax")),
        tax=_from_money(body.get("tax")),
        total=_need(body["total"]),
        taxes_included=bool(body["taxesIncluded"]),
        shipping_address=None if address is None else PostalAddress(*address),
        delivery=None
        if delivery is None
        else Delivery(delivery[0], delivery[1], _need(delivery[2])),
        status=OrderStatus(item.status),
        stock=StockState(body["stock"]),
        reserved_until=reserved,
        history=tuple(
            StatusChange(
                at=datetime.fromisoformat(at),
                from_status=None if before is None else OrderStatus(before),
                to_status=OrderStatus(after),
                actor=actor,
                note=note,
            )
            for at, before, after, actor, note in body.get("history", [])
        ),
        access_digest=body.get("access"),
        payment_intent_id=body.get("intent"),
        payment_error=body.get("paymentError"),
        paid_amount=_from_money(body.get("paid")),
        refunded_amount=_from_money(body.get("refunded")),
        refunds=tuple(
            RefundRequest(
                seq=int(seq),
                amount=_need(amount),
                reason=reason,
                actor=actor,
                at=datetime.fromisoformat(at),
                state=RefundState(state),
                refund_id=refund_id,
            )
            for seq, amount, reason, actor, at, state, refund_id in body.get("refunds", [])
        ),
        tracking=None if tracking is None else Tracking(*tracking),
        fulfilled_at=_from_when(body.get("fulfilledAt")),
        attention=body.get("attention"),
        discount=_from_money(body.get("discount")),
        discount_codes=tuple(body.get("codes") or ()),
        affiliate_id=body.get("affiliate"),
        visitor_id=body.get("visitor"),
        cart_digest=body.get("cart"),
        payment_method=body.get("payment_method"),
        sales_channel=body.get("channel"),
        disputes=tuple(_dispute(raw) for raw in body.get("disputes", [])),
    )


def _dispute(raw: list[Any]) -> Dispute:
    dispute_id, amount, status, opened, closed = raw
    opened_at = _from_when(opened)
    assert opened_at is not None
    return Dispute(dispute_id, _need(amount), DisputeStatus(status), opened_at, _from_when(closed))


def _order_item(order: Order) -> OrderItem:
    listed = f"{_instant(order.created_at)}#{order.id}"
    return OrderItem(
        pk=order_pk(order.id),
        sk=ORDER_SK,
        gsi1pk=ALL_ORDERS,
        gsi1sk=listed,
        gsi2pk=status_partition(order.status),
        gsi2sk=listed,
        order_id=order.id,
        number=order.number,
        status=order.status.value,
        created_at=order.created_at,
        customer_id=order.customer_id,
        body=_body(order),
    )


# -- reads ---------------------------------------------------------------------------------


def get_orders(order_ids: Sequence[str]) -> dict[str, Order]:
    """The orders of ``order_ids`` that exist, by id: one BatchGetItem per hundred."""
    keys = [(order_pk(oid), ORDER_SK) for oid in dict.fromkeys(order_ids) if is_id(oid)]
    return {
        item.order_id: _order(item)
        for item in OrderItem.batch_get(keys, consistent_read=True)
        if isinstance(item, OrderItem)
    }


def get_order_record(order_id: str) -> OrderRecord | None:
    """The order, strongly consistent (every change reads it first)."""
    if not is_id(order_id):
        return None
    try:
        item = OrderItem.get(order_pk(order_id), ORDER_SK, consistent_read=True)
    except OrderItem.DoesNotExist:
        return None
    return OrderRecord(_order(item), int(item.version or 0))


def list_orders(
    where: OrderFilter, first: int, after: str | None
) -> tuple[list[tuple[Order, str]], bool]:
    """Up to ``first`` orders newest first, each with its index key (the cursor's content).

    One Query on GSI2 for a status, on GSI1 otherwise; the date range and the cursor
    bound the sort key, so a page never reads what it does not return.
    """
    low = "0" if where.created_from is None else _instant(where.created_from)
    high = "~" if where.created_to is None else f"{_instant(where.created_to)}~"
    if after is not None:
        high = min(high, after)
    if low > high:
        return [], False
    if where.status is None:
        rows: Iterator[TableItem] = OrderItem.gsi1.query(
            ALL_ORDERS,
            range_key_condition=OrderItem.gsi1sk.between(low, high),
            scan_index_forward=False,
            limit=first + 2,
        )
    else:
        rows = OrderItem.gsi2.query(
            status_partition(where.status),
            range_key_condition=OrderItem.gsi2sk.between(low, high),
            scan_index_forward=False,
            limit=first + 2,
        )
    found: list[tuple[Order, str]] = []
    for item in rows:
        key = item.gsi1sk or ""
        if not isinstance(item, OrderItem) or key == after:
            continue
        found.append((_order(item), key))
        if len(found) > first:
            break
    return found[:first], len(found) > first


def list_customer_orders(
    customer_id: str, first: int, after: str | None
) -> tuple[list[tuple[Order, str]], bool]:
    """Up to ``first`` of a customer's orders newest first, each with its cursor key.

    One Query on the customer's partition for the page's ids, then one BatchGetItem for
    the orders themselves.
    """
    high = f"{CUSTOMER_ORDER_PREFIX}~" if after is None else f"{CUSTOMER_ORDER_PREFIX}{after}"
    rows = CustomerOrderItem.query(
        customer_pk(customer_id),
        range_key_condition=CustomerOrderItem.sk.between(CUSTOMER_ORDER_PREFIX, high),
        scan_index_forward=False,
        consistent_read=True,
        limit=first + 2,
    )
    keys: list[tuple[str, str]] = []
    for item in rows:
        key = item.sk.removeprefix(CUSTOMER_ORDER_PREFIX)
        if not isinstance(item, CustomerOrderItem) or key == after:
            continue
        keys.append((item.order_id, key))
        if len(keys) > first:
            break
    page = keys[:first]
    found = {
        item.order_id: _order(item)
        for item in OrderItem.batch_get([(order_pk(oid), ORDER_SK) for oid, _ in page])
        if isinstance(item, OrderItem)
    }
    return [(found[oid], key) for oid, key in page if oid in found], len(keys) > first


def encode_cursor(key: str) -> str:
    """An opaque cursor for an index key."""
    return base64.urlsafe_b64encode(f"order:{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The index key inside a cursor, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, key = raw.partition(":")
    instant, _, order_id = key.partition("#")
    if prefix != "order" or not is_id(order_id) or len(instant) != 27:
        return None
    return key


def expired_reservations(now: datetime, limit: int) -> list[str]:
    """Ids of orders whose reservation ended before ``now``, oldest first (GSI1 Query)."""
    items = ReservationItem.gsi1.query(
        RESERVATIONS,
        range_key_condition=ReservationItem.gsi1sk < _instant(now),
        limit=limit,
    )
    return [item.order_id for item in items if isinstance(item, ReservationItem)]


# -- writes --------------------------------------------------------------------------------


def next_order_number() -> int:
    """The next order number: one atomic UpdateItem, outside any transaction.

    Putting this counter inside the checkout transaction would make every checkout
    conflict with every other; an UpdateItem serialises on the item without failing.
    """
    counter = CounterItem(pk="COUNTER", sk="ORDER_NUMBER")
    counter.update(actions=[CounterItem.value.add(1)])
    return int(counter.value) + 1000


# The version a new order has once its checkout transaction committed.
NEW_ORDER_VERSION = 1


def add_new_order(writes: WriteSet, order: Order) -> None:
    """Put a new order (at ``NEW_ORDER_VERSION``) and its reservation into ``writes``."""
    writes.put(_order_item(order), OrderItem.pk.does_not_exist(), label=ORDER_LABEL)
    reservation = ReservationItem(
        pk=order_pk(order.id),
        sk=RESERVATION_SK,
        gsi1pk=RESERVATIONS,
        gsi1sk=f"{_instant(order.reserved_until)}#{order.id}",
        order_id=order.id,
        expires_at=order.reserved_until,
        ttl=order.reserved_until,
    )
    writes.put(reservation, label="reservation")
    if order.customer_id is not None:
        history = CustomerOrderItem(
            pk=customer_pk(order.customer_id),
            sk=f"{CUSTOMER_ORDER_PREFIX}{_instant(order.created_at)}#{order.id}",
            order_id=order.id,
        )
        writes.put(history, label="customer order")


def put_imported_orders(orders: Sequence[Order]) -> None:
    """Put settled orders as they stand, 25 to a BatchWriteItem (no conditions there: the
    same order put again replaces itself), with their customers' order history."""
    with OrderItem.batch_write() as batch:
        for order in orders:
            item = _order_item(order)
            item.version = NEW_ORDER_VERSION
            batch.save(item)
            if order.customer_id is not None:
                batch.save(
                    CustomerOrderItem(
                        pk=customer_pk(order.customer_id),
                        sk=f"{CUSTOMER_ORDER_PREFIX}{_instant(order.created_at)}#{order.id}",
                        order_id=order.id,
                    )
                )


def add_order_change(writes: WriteSet, old: OrderRecord, new: Order) -> None:
    """Put ``new`` over ``old`` into ``writes``, on condition nobody changed it meanwhile."""
    item = _order_item(new)
    item.version = old.version
    writes.put(item, OrderItem.pk.exists(), label=ORDER_LABEL)


def add_reservation_removal(writes: WriteSet, order_id: str) -> None:
    """Delete the reservation (absent already is fine: TTL may have removed it)."""
    writes.delete(ReservationItem(pk=order_pk(order_id), sk=RESERVATION_SK), label="reservation")


def replace_order(old: OrderRecord, new: Order) -> None:
    """Write ``new`` over ``old`` with one PutItem (half a transaction's cost).

    ``OrderChanged`` when the order moved since ``old`` was read.
    """
    item = _order_item(new)
    item.version = old.version
    try:
        item.save(condition=OrderItem.pk.exists())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise OrderChanged from None
        raise


def commit_change(writes: WriteSet) -> None:
    """Commit; ``OrderChanged`` when the order's version moved (other labels re-raised)."""
    try:
        writes.commit()
    except ConditionsFailed as failed:
        if ORDER_LABEL in failed.labels:
            raise OrderChanged from None
        raise
