"""Orders as plain values: line snapshots, totals, status, stock state and history.

An order copies everything a line was sold with (title, SKU, unit price, tax) at the
moment of purchase, so a later catalog change never rewrites what a customer bought.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from commerce.catalog.model import VariantKind
from commerce.money import Currency, Money


class OrderStatus(enum.Enum):
    """Where an order is in its life."""

    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    PAID = "PAID"
    FULFILLED = "FULFILLED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class StockState(enum.Enum):
    """What the order holds of the physical stock it bought."""

    # Taken from the counters at checkout, held until payment or expiry.
    RESERVED = "RESERVED"
    # Paid for: the units are the customer's.
    COMMITTED = "COMMITTED"
    # Given back to the counters (cancelled, expired, payment cancelled).
    RELEASED = "RELEASED"
    # Paid after the units were given back, and they were gone: staff must act.
    SHORT = "SHORT"


@dataclass(frozen=True, slots=True)
class Discount:
    """A promotion's saving on a line at purchase: ``title`` is the engine's explanation."""

    title: str
    amount: Money
    promotion_id: str = ""
    # The discount code that unlocked it; None for an automatic offer.
    code: str | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line as it was sold."""

    id: str
    product_id: str
    variant_id: str
    kind: VariantKind
    title: str
    variant_title: str
    sku: str
    quantity: int
    unit_price: Money
    total: Money
    tax: Money | None
    discounts: tuple[Discount, ...] = ()
    # What one unit cost the store when it was sold (margin reports); None if unrecorded.
    unit_cost: Money | None = None
    # The product's collections when it was sold (sales reports by collection).
    collection_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """Where a physical order ships; ``country_code`` is ISO 3166-1 alpha-2."""

    first_name: str
    last_name: str
    address1: str
    address2: str
    city: str
    province: str
    zip: str
    country_code: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """The shipping rate chosen, as it was priced."""

    option_id: str
    title: str
    price: Money


@dataclass(frozen=True, slots=True)
class Tracking:
    """How a shipped parcel is followed."""

    carrier: str
    number: str
    url: str | None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of the history: who moved the order from what to what, and why."""

    at: datetime
    from_status: OrderStatus | None
    to_status: OrderStatus
    actor: str
    note: str


class RefundState(enum.Enum):
    """A staff refund request, until Stripe's ``refunded`` event settles it."""

    PENDING = "PENDING"
    SETTLED = "SETTLED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """A refund staff asked for; ``refund_id`` once Stripe accepted it."""

    seq: int
    amount: Money
    reason: str
    actor: str
    at: datetime
    state: RefundState
    refund_id: str | None = None


class DisputeStatus(enum.Enum):
    """A card dispute (chargeback) on the order's payment, as Stripe reports it."""

    # The bank took the disputed amount back; the store may still win it.
    OPEN = "OPEN"
    # Closed in the store's favour (or an inquiry closed without a chargeback): the
    # money came back.
    WON = "WON"
    # Closed against the store: the money is gone.
    LOST = "LOST"


@dataclass(frozen=True, slots=True)
class Dispute:
    """One Stripe dispute of the order's charge (``dp_...``) and the amount it holds."""

    id: str
    amount: Money
    status: DisputeStatus
    opened_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Order:
    """An order with its lines, money, status and what it holds of the stock."""

    id: str
    number: int
    created_at: datetime
    updated_at: datetime
    currency: Currency
    email: str | None
    phone: str | None
    customer_id: str | None
    lines: tuple[OrderLine, ...]
    subtotal: Money
    shipping: Money
    shipping_tax: Money | None
    tax: Money | None
    total: Money
    taxes_included: bool
    shipping_address: PostalAddress | None
    delivery: Delivery | None
    status: OrderStatus
    stock: StockState
    reserved_until: datetime
    history: tuple[StatusChange, ...]
    access_digest: str | None = None
    payment_intent_id: str | None = None
    payment_error: str | None = None
    paid_amount: Money | None = None
    refunded_amount: Money | None = None
    refunds: tuple[RefundRequest, ...] = ()
    tracking: Tracking | None = None
    fulfilled_at: datetime | None = None
    attention: str | None = None
    # Promotions' savings (lines, order and shipping): subtotal - discount + shipping
    # (+ tax) = total. None on orders placed before promotions.
    discount: Money | None = None
    # The codes this order used (one use each, given back if it is cancelled or expires).
    discount_codes: tuple[str, ...] = ()
    # The affiliate partner that referred the cart (commissions, attribution reports).
    affiliate_id: str | None = None
    # The first-party visitor that placed it (its journey is credited when it is paid).
    visitor_id: str | None = None
    # SHA-256 of the token of the cart it was placed from (recovery counts recovered
    # carts by it); None on orders placed before it was recorded.
    cart_digest: str | None = None
    # How it was paid, as Stripe reports it: the card brand ("visa") or the wallet
    # ("apple_pay"), or the payment method type ("sepa_debit"); None before payment.
    payment_method: str | None = None
    # Where it was placed (``principals.Channel`` value: WEB, MOBILE, PARTNER_API); None on
    # orders placed before the channel was recorded.
    sales_channel: str | None = None
    # Card disputes of its payment, oldest first (none on most orders).
    disputes: tuple[Dispute, ...] = ()

    @property
    def stock_quantities(self) -> dict[tuple[str, str], int]:
        """Units per (product id, variant id) of the physical lines."""
        return physical_quantities(self.lines)

    @property
    def is_paid(self) -> bool:
        """Money was received (whatever happened after)."""
        return self.status in _PAID_STATES

    @property
    def refunded(self) -> Money:
        """What Stripe confirmed as refunded so far."""
        return self.refunded_amount or Money(0, self.currency)

    @property
    def disputed(self) -> Money:
        """What open and lost disputes hold back of the payment (won ones came back)."""
        held = sum(d.amount.amount for d in self.disputes if d.status is not DisputeStatus.WON)
        return Money(held, self.currency)

    @property
    def refund_pending(self) -> Money:
        """Requested refunds Stripe has not confirmed yet."""
        pending = sum(r.amount.amount for r in self.refunds if r.state is RefundState.PENDING)
        return Money(pending, self.currency)

    @property
    def refundable(self) -> Money:
        """What can still be refunded: the total less confirmed and pending refunds."""
        taken = self.refunded.amount + self.refund_pending.amount
        return Money(max(0, self.total.amount - taken), self.currency)


_PAID_STATES = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.FULFILLED,
        OrderStatus.PARTIALLY_REFUNDED,
        OrderStatus.REFUNDED,
    }
)


def physical_quantities(lines: tuple[OrderLine, ...]) -> dict[tuple[str, str], int]:
    """Units per variant of the lines that take stock, summed (one decrement a variant)."""
    quantities: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.kind is VariantKind.PHYSICAL:
            key = (line.product_id, line.variant_id)
            quantities[key] = quantities.get(key, 0) + line.quantity
    return quantities


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """What staff narrow the order list by; None is no condition."""

    status: OrderStatus | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderPage:
    """Orders newest first, and the cursor of the next page (None: last page)."""

    orders: tuple[Order, ...]
    cursors: Mapping[str, str]
    has_next_page: bool


def token_digest(secret: str) -> str:
    """SHA-256 of a capability (access token, idempotency key, cart token): never stored raw."""
    return hashlib.sha256(secret.encode()).hexdigest()


def may_read(order: Order, *, access_token: str | None, customer_id: str | None) -> bool:
    """A guest holding the order's token, or the customer who placed it."""
    if customer_id is not None and order.customer_id == customer_id:
        return True
    if access_token is None or order.access_digest is None:
        return False
    return hmac.compare_digest(token_digest(access_token), order.access_digest)
