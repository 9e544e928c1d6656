"""How payment events, expiry and staff actions move an order: pure decisions.

Each function looks at the order as stored and returns a ``Plan`` (the new order and
the stock movement that goes with it, committed together) or None when the event
changes nothing. That is what makes every event idempotent and order-independent:
a duplicate finds its effect already there, a late one finds a later state.

The rules (``docs/decisions/0006-checkout-and-stock.md``):

- Money received wins. A success (or a refund, which implies one) marks the order paid
  whatever it was. Reserved stock is committed; stock already given back (the order
  expired or was cancelled first) is taken again if it is there, and otherwise the
  order is paid but SHORT, flagged for staff.
- Stock goes back only from an unpaid order that still holds it, once: the stock
  state moves RESERVED -> RELEASED in the same transaction as the increments.
- A failed payment attempt changes nothing but the recorded error: the shopper may
  retry with another card until the reservation expires.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from commerce.money import Money
from commerce.orders.errors import OrderErrorCode as Code
from commerce.orders.model import (
    Dispute,
    DisputeStatus,
    Order,
    OrderStatus,
    RefundRequest,
    RefundState,
    StatusChange,
    StockState,
    Tracking,
)
from commerce.problems import Problem, Rejected

STRIPE = "stripe"
SYSTEM = "system"
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Plan:
    """A new order state and the stock movement committed with it."""

    order: Order
    # Decrement the order's physical quantities (re-taking released stock).
    take_stock: bool = False
    # Increment them (releasing a reservation).
    return_stock: bool = False
    # Remove the reservation item (settled one way or the other).
    drop_reservation: bool = False


def _moved(order: Order, status: OrderStatus, at: datetime, actor: str, note: str) -> Order:
    """``order`` in ``status``, with a history entry when the status changes."""
    if status is order.status:
        return dataclasses.replace(order, updated_at=at)
    entry = StatusChange(at, order.status, status, actor, note)
    return dataclasses.replace(order, status=status, updated_at=at, history=(*order.history, entry))


def _noted(order: Order, at: datetime, actor: str, note: str) -> Order:
    """``order`` with a history note that does not change its status."""
    entry = StatusChange(at, order.status, order.status, actor, note)
    return dataclasses.replace(order, updated_at=at, history=(*order.history, entry))


def payment_succeeded(
    order: Order,
    *,
    at: datetime,
    intent_id: str,
    amount: Money,
    stock_available: bool,
    payment_method: str | None = None,
) -> Plan | None:
    """The intent was paid. ``stock_available`` False: a re-take already failed."""
    if order.is_paid:
        return None
    paid = dataclasses.replace(
        order, payment_intent_id=intent_id, paid_amount=amount, payment_method=payment_method
    )
    if amount != order.total:
        paid = dataclasses.replace(
            paid,
            attention=f"Paid {amount.to_decimal()} {amount.currency.value}, not the order total",
        )
    return _paid(
        paid, at=at, actor=STRIPE, note="Payment received", stock_available=stock_available
    )


def settled_without_payment(order: Order, *, at: datetime, stock_available: bool) -> Plan | None:
    """An order whose total is zero (free items, a 100 % code) is paid by being placed.

    No payment provider takes an amount of 0, so there is no intent: the order moves to
    PAID as if its payment had arrived, and its stock and downloads follow the same way.
    Only a waiting order settles: one cancelled or expired meanwhile stays ended, as no
    money arrived to revive it.
    """
    if order.status is not OrderStatus.AWAITING_PAYMENT or order.total.amount != 0:
        return None
    paid = dataclasses.replace(order, paid_amount=order.total)
    return _paid(paid, at=at, actor=SYSTEM, note="Nothing to pay", stock_available=stock_available)


def _paid(order: Order, *, at: datetime, actor: str, note: str, stock_available: bool) -> Plan:
    """``order`` moved to PAID: reserved stock committed, released stock taken again."""
    after = _moved(order, OrderStatus.PAID, at, actor, note)
    if order.stock is StockState.RESERVED:
        return Plan(dataclasses.replace(after, stock=StockState.COMMITTED), drop_reservation=True)
    if order.stock is StockState.RELEASED and order.stock_quantities:
        if stock_available:
            return Plan(
                dataclasses.replace(after, stock=StockState.COMMITTED),
                take_stock=True,
                drop_reservation=True,
            )
        short = dataclasses.replace(
            after,
            stock=StockState.SHORT,
            attention="Paid after its stock was released, and the stock is gone",
        )
        return Plan(short, drop_reservation=True)
    return Plan(dataclasses.replace(after, stock=_settled(order.stock)), drop_reservation=True)


def _settled(stock: StockState) -> StockState:
    return StockState.COMMITTED if stock is StockState.RELEASED else stock


def payment_failed(order: Order, *, at: datetime, reason: str) -> Plan | None:
    """A payment attempt failed; recorded once per distinct reason while unpaid."""
    if order.status is not OrderStatus.AWAITING_PAYMENT or order.payment_error == reason:
        return None
    failed = dataclasses.replace(order, payment_error=reason[:MAX_NOTE_LENGTH])
    return Plan(_noted(failed, at, STRIPE, f"Payment failed: {reason[:MAX_NOTE_LENGTH]}"))


def released(
    order: Order, *, at: datetime, status: OrderStatus, actor: str, note: str
) -> Plan | None:
    """An unpaid order ends (cancelled, expired): its reserved stock goes back, once."""
    if order.status is not OrderStatus.AWAITING_PAYMENT:
        return None
    ended = dataclasses.replace(_moved(order, status, at, actor, note), stock=StockState.RELEASED)
    return Plan(
        ended,
        return_stock=order.stock is StockState.RESERVED and bool(order.stock_quantities),
        drop_reservation=True,
    )


def expired(order: Order, *, at: datetime) -> Plan | None:
    """The reservation window passed unpaid (scheduled job or TTL removal)."""
    if at < order.reserved_until:
        return None
    return released(order, at=at, status=OrderStatus.EXPIRED, actor=SYSTEM, note="Not paid in time")


def refunded(
    order: Order, *, at: datetime, amount_refunded: Money, stock_available: bool
) -> Plan | None:
    """Stripe reports ``amount_refunded`` in all; a refund implies the order was paid."""
    if amount_refunded.currency is not order.currency or amount_refunded.amount <= 0:
        return None
    if order.refunded.amount >= amount_refunded.amount and order.is_paid:
        return None
    base = Plan(order)
    if not order.is_paid:
        paid = payment_succeeded(
            order,
            at=at,
            intent_id=order.payment_intent_id or "",
            amount=order.total,
            stock_available=stock_available,
        )
        assert paid is not None
        base = paid
    amount = max(amount_refunded, order.refunded)
    full = amount.amount >= order.total.amount
    refunds = tuple(
        dataclasses.replace(r, state=RefundState.SETTLED)
        if r.state is RefundState.PENDING and amount.amount >= _requested_up_to(order, r)
        else r
        for r in base.order.refunds
    )
    after = dataclasses.replace(base.order, refunded_amount=amount, refunds=refunds)
    note = f"Refunded {amount.to_decimal()} {amount.currency.value} in all"
    if order.status is OrderStatus.FULFILLED and not full:
        # A fulfilled order partly refunded stays fulfilled; the amount shows the refund.
        moved = _noted(after, at, STRIPE, note)
    else:
        status = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
        moved = _moved(after, status, at, STRIPE, note)
    return dataclasses.replace(base, order=moved)


def dispute_opened(order: Order, *, at: datetime, dispute_id: str, amount: Money) -> Plan | None:
    """Stripe opened dispute ``dispute_id`` for ``amount`` on the order's payment.

    Once per dispute: a redelivered event, or one arriving after the dispute's close,
    finds it recorded and changes nothing. An unpaid order has nothing to dispute.
    """
    if not order.is_paid or amount.currency is not order.currency or amount.amount <= 0:
        return None
    if any(d.id == dispute_id for d in order.disputes):
        return None
    held = min(amount.amount, order.total.amount)
    dispute = Dispute(dispute_id, Money(held, order.currency), DisputeStatus.OPEN, at)
    after = dataclasses.replace(order, disputes=(*order.disputes, dispute))
    note = f"Disputed {dispute.amount.to_decimal()} {order.currency.value} ({dispute_id})"
    return Plan(_noted(after, at, STRIPE, note))


def dispute_closed(
    order: Order, *, at: datetime, dispute_id: str, amount: Money, won: bool
) -> Plan | None:
    """Stripe closed dispute ``dispute_id``: won (the money came back) or lost.

    A close that arrives before its opening records the dispute closed at once; a second
    close of the same dispute changes nothing (Stripe closes a dispute once).
    """
    status = DisputeStatus.WON if won else DisputeStatus.LOST
    if not order.is_paid or amount.currency is not order.currency:
        return None
    found = next((d for d in order.disputes if d.id == dispute_id), None)
    if found is not None and found.status is not DisputeStatus.OPEN:
        return None
    if found is None:
        held = Money(min(amount.amount, order.total.amount), order.currency)
        closed = Dispute(dispute_id, held, status, at, at)
        disputes = (*order.disputes, closed)
    else:
        closed = dataclasses.replace(found, status=status, closed_at=at)
        disputes = tuple(closed if d.id == dispute_id else d for d in order.disputes)
    after = dataclasses.replace(order, disputes=disputes)
    note = f"Dispute {dispute_id} {'won' if won else 'lost'}"
    return Plan(_noted(after, at, STRIPE, note))


def _requested_up_to(order: Order, request: RefundRequest) -> int:
    """The refunded total once ``request`` and every earlier pending one is settled."""
    earlier = sum(
        r.amount.amount
        for r in order.refunds
        if r.state is RefundState.PENDING and r.seq <= request.seq
    )
    return order.refunded.amount + earlier


def attach_intent(order: Order, intent_id: str) -> Plan | None:
    """Record the PaymentIntent created for the order (once)."""
    if order.payment_intent_id == intent_id:
        return None
    return Plan(dataclasses.replace(order, payment_intent_id=intent_id))


def check_note(note: str, field: tuple[str, ...]) -> list[Problem]:
    """Staff say why they cancel or refund."""
    if not note.strip():
        return [Problem(Code.REASON_REQUIRED, "Say why", field)]
    if len(note) > MAX_NOTE_LENGTH:
        return [Problem(Code.TOO_LONG, f"At most {MAX_NOTE_LENGTH} characters", field)]
    return []


def cancel(order: Order, *, at: datetime, actor: str, reason: str) -> Plan:
    """Staff cancel an unpaid order: its stock goes back."""
    problems = check_note(reason, ("reason",))
    if problems:
        raise Rejected(problems)
    plan = released(order, at=at, status=OrderStatus.CANCELLED, actor=actor, note=reason.strip())
    if plan is None:
        raise Rejected(
            [
                Problem(
                    Code.NOT_CANCELLABLE,
                    f"Only unpaid orders can be cancelled; this one is {order.status.value}",
                    ("id",),
                )
            ]
        )
    return plan


def check_tracking(tracking: Tracking) -> list[Problem]:
    """Carrier and number are needed; a URL, when given, is http(s)."""
    problems: list[Problem] = []
    for name, value in (("carrier", tracking.carrier), ("number", tracking.number)):
        if not value.strip() or len(value) > 200:
            problems.append(
                Problem(
                    Code.INVALID_TRACKING,
                    f"Give a {name} (at most 200 characters)",
                    ("tracking", name),
                )
            )
    url = tracking.url
    if url is not None and (not url.startswith(("https://", "http://")) or len(url) > 2000):
        problems.append(
            Problem(Code.INVALID_TRACKING, "The URL starts with https://", ("tracking", "url"))
        )
    return problems


def fulfill(order: Order, *, at: datetime, actor: str, tracking: Tracking) -> Plan:
    """Staff mark a paid order shipped."""
    problems = check_tracking(tracking)
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        problems.append(
            Problem(
                Code.NOT_FULFILLABLE,
                f"Only paid orders can be fulfilled; this one is {order.status.value}",
                ("id",),
            )
        )
    if problems:
        raise Rejected(problems)
    shipped = dataclasses.replace(order, tracking=tracking, fulfilled_at=at)
    return Plan(_moved(shipped, OrderStatus.FULFILLED, at, actor, f"Shipped by {tracking.carrier}"))


def request_refund(
    order: Order, *, at: datetime, actor: str, amount: Money | None, reason: str
) -> tuple[Plan, RefundRequest]:
    """Staff ask for a refund: recorded as pending before Stripe is called.

    Refusing more than is left is ours to do: a Stripe-compatible local server accepts
    over-refunds, and a pending request counts as taken until Stripe settles it.
    """
    problems = check_note(reason, ("reason",))
    if not order.is_paid or order.status is OrderStatus.REFUNDED or not order.payment_intent_id:
        problems.append(
            Problem(Code.NOT_REFUNDABLE, f"This order is {order.status.value}", ("id",))
        )
    wanted = order.refundable if amount is None else amount
    if wanted.currency is not order.currency:
        problems.append(
            Problem(Code.INVALID_AMOUNT, f"The order is in {order.currency.value}", ("amount",))
        )
    elif wanted.amount <= 0 and amount is not None:
        problems.append(Problem(Code.INVALID_AMOUNT, "Refund more than 0", ("amount",)))
    elif wanted.amount > order.refundable.amount or wanted.amount <= 0:
        problems.append(
            Problem(
                Code.REFUND_EXCEEDS_REMAINING,
                f"At most {order.refundable.to_decimal()} can still be refunded",
                ("amount",),
            )
        )
    if problems:
        raise Rejected(problems)
    request = RefundRequest(
        seq=len(order.refunds) + 1,
        amount=wanted,
        reason=reason.strip(),
        actor=actor,
        at=at,
        state=RefundState.PENDING,
    )
    changed = dataclasses.replace(order, refunds=(*order.refunds, request))
    return Plan(
        _noted(changed, at, actor, f"Refund of {wanted} requested: {reason.strip()}")
    ), request


def refund_sent(order: Order, seq: int, refund_id: str) -> Plan | None:
    """Stripe accepted refund request ``seq``."""
    refunds = tuple(
        dataclasses.replace(r, refund_id=refund_id) if r.seq == seq else r for r in order.refunds
    )
    return None if refunds == order.refunds else Plan(dataclasses.replace(order, refunds=refunds))


def refund_settled(order: Order, seq: int, refund_id: str, *, at: datetime) -> Plan | None:
    """Stripe answered that refund request ``seq`` succeeded when it was created.

    The order counts it as refunded at once, without waiting for ``charge.refunded``
    (which a Stripe-compatible local server never sends, and Stripe may send late).
    When that event does come, its cumulative amount is what is already counted, so
    ``refunded`` changes nothing; had it come first, the request is settled already and
    only its refund id is recorded here.
    """
    request = next((r for r in order.refunds if r.seq == seq), None)
    if request is None:
        return None
    if request.state is not RefundState.PENDING:
        return refund_sent(order, seq, refund_id)
    refunds = tuple(
        dataclasses.replace(r, state=RefundState.SETTLED, refund_id=refund_id)
        if r.seq == seq
        else r
        for r in order.refunds
    )
    amount = Money(order.refunded.amount + request.amount.amount, order.currency)
    full = amount.amount >= order.total.amount
    after = dataclasses.replace(order, refunded_amount=amount, refunds=refunds)
    note = f"Refunded {amount.to_decimal()} {amount.currency.value} in all"
    if order.status is OrderStatus.FULFILLED and not full:
        return Plan(_noted(after, at, STRIPE, note))
    status = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
    return Plan(_moved(after, status, at, STRIPE, note))


def refund_failed(order: Order, seq: int, at: datetime) -> Plan | None:
    """Stripe could not be reached: the request no longer holds back the amount."""
    refunds = tuple(
        dataclasses.replace(r, state=RefundState.FAILED) if r.seq == seq else r
        for r in order.refunds
    )
    if refunds == order.refunds:
        return None
    changed = dataclasses.replace(order, refunds=refunds)
    return Plan(
        _noted(changed, at, SYSTEM, f"Refund request {seq} failed: payment provider unavailable")
    )


def with_access_digest(order: Order, digest: str) -> Plan | None:
    """The order readable with a new guest token (the old one stops working)."""
    if order.access_digest == digest:
        return None
    return Plan(dataclasses.replace(order, access_digest=digest))
