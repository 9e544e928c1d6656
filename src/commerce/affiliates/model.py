"""The affiliate program as plain values: rules, bindings, ledger entries and payouts.

Rates are basis points (3000 = 30 %), amounts integer minor units: a commission is never
a float. A ledger entry's amount never changes once written; only its state moves
forward (pending → approved → paid), and a refund is a new negative entry, so the history
of what a partner earned and gave back is the ledger itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from commerce.money import Currency, Money

# A percentage of 100 % is 10,000 basis points.
FULL_RATE = 10_000
DEFAULT_HOLDING_DAYS = 30


class EntryState(enum.Enum):
    """Where a ledger entry is in its life."""

    # Written when the order is paid; may still be taken back by a refund.
    PENDING = "PENDING"
    # The holding period passed: payable.
    APPROVED = "APPROVED"
    # Included in a payout.
    PAID = "PAID"


class EntryKind(enum.Enum):
    """What wrote the entry."""

    COMMISSION = "COMMISSION"
    REVERSAL = "REVERSAL"
    # What a card dispute (chargeback) took back, pro rata like a refund.
    DISPUTE = "DISPUTE"
    # A dispute the store won: what it took back is given back (a positive entry).
    DISPUTE_WON = "DISPUTE_WON"


class PayoutStatus(enum.Enum):
    """A payout batch until the money left the store."""

    # Still collecting approved entries, a chunk at a time (resumed after a crash).
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    PAID = "PAID"


@dataclass(frozen=True, slots=True)
class VolumeTier:
    """A rate that applies once the partner's referred net sales of the calendar month
    (in the tier's currency, before the order) reached ``threshold``."""

    threshold: Money
    rate: int


@dataclass(frozen=True, slots=True)
class CommissionRule:
    """How a partner (or a group of partners) is paid.

    ``repeat_months`` None pays repeat sales for the life of the binding; 0 pays none.
    ``product_rates`` override the order rates for the lines of those products, and
    ``collection_rates`` for the lines of products in those collections (a product's own
    rate first, then the highest rate among the line's collections). ``tiers`` raise the
    order rate with the partner's monthly volume: a tier never lowers it.
    """

    first_order_rate: int = 0
    repeat_rate: int = 0
    repeat_months: int | None = None
    product_rates: tuple[tuple[str, int], ...] = ()
    fixed_per_order: Money | None = None
    holding_days: int = DEFAULT_HOLDING_DAYS
    collection_rates: tuple[tuple[str, int], ...] = ()
    tiers: tuple[VolumeTier, ...] = ()

    def rate_for(
        self,
        product_id: str,
        first_order: bool,
        collection_ids: tuple[str, ...] = (),
        tier_rate: int = 0,
    ) -> int:
        """The rate of one line: the product's own, else its collections' highest, else
        the order's raised to ``tier_rate`` when that is higher."""
        for product, rate in self.product_rates:
            if product == product_id:
                return rate
        in_collections = [rate for c, rate in self.collection_rates if c in collection_ids]
        if in_collections:
            return max(in_collections)
        order_rate = self.first_order_rate if first_order else self.repeat_rate
        return max(order_rate, tier_rate)


@dataclass(frozen=True, slots=True)
class PartnerProgram:
    """A partner's place in the program: its group and where its payouts go."""

    partner_id: str
    group: str | None = None
    connected_account_id: str | None = None


@dataclass(frozen=True, slots=True)
class BindingChange:
    """One entry of a binding's history: who moved the customer, from whom, and why."""

    at: datetime
    from_partner_id: str | None
    to_partner_id: str
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class Binding:
    """A customer bound to the partner that referred them, on the customer's account.

    The rule in force at binding time is kept: later rule changes never reprice the
    customer's repeat sales (a partner is paid what was agreed when it referred them).
    """

    customer_id: str
    partner_id: str
    rule: CommissionRule
    bound_at: datetime
    first_order_id: str | None
    history: tuple[BindingChange, ...] = ()


@dataclass(frozen=True, slots=True)
class GoodsLine:
    """What the customer paid for one line's goods: shipping, tax and discounts excluded."""

    line_id: str
    product_id: str
    paid: int
    # The product's collections when it was sold (the order line's snapshot).
    collection_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaidOrderFacts:
    """What commission needs of a paid order."""

    order_id: str
    order_number: int
    customer_id: str | None
    affiliate_id: str | None
    currency: Currency
    paid_at: datetime
    paid_total: int
    lines: tuple[GoodsLine, ...]
    refunded: int = 0
    # What open and lost card disputes hold back (won ones are given back).
    disputed: int = 0


# The line id of a rule's fixed amount per order (it belongs to no line).
ORDER_LINE = "ORDER"


@dataclass(frozen=True, slots=True)
class CommissionLine:
    """The commission of one order line (or of the order's fixed amount)."""

    line_id: str
    base: int
    rate: int
    amount: int
    reversed: int = 0


@dataclass(frozen=True, slots=True)
class OrderCommission:
    """An order's commission: its lines, what refunds took back, and its state.

    ``refunded_seen`` is the cumulative refund already reversed: a refund record is
    reversed only for what it adds beyond that, so a replay changes nothing.
    """

    order_id: str
    order_number: int
    partner_id: str
    customer_id: str | None
    currency: Currency
    paid_total: int
    paid_at: datetime
    hold_until: datetime
    state: EntryState
    lines: tuple[CommissionLine, ...]
    refunded_seen: int = 0
    entries: int = 0
    first_order: bool = True
    # What open and lost disputes held back when last seen (refunds and disputes are
    # reversed on their sum, so a dispute after a refund never takes back twice).
    disputed_seen: int = 0
    # The order's goods (every line's base) and what of them the partner's monthly
    # volume counts now (its goods less their refunded and disputed share).
    sales: int = 0
    sales_counted: int = 0

    @property
    def month(self) -> str:
        """The calendar month (UTC) whose volume the order counts in: ``2026-12``."""
        return self.paid_at.strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One line of the partner's ledger: positive for a commission, negative for a reversal."""

    id: str
    partner_id: str
    order_id: str
    order_number: int
    line_id: str
    kind: EntryKind
    amount: Money
    state: EntryState
    created_at: datetime
    rate: int = 0
    base: int = 0
    payout_id: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """The sum of a partner's entries in one currency, by state."""

    currency: Currency
    pending: int = 0
    approved: int = 0
    paid: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.approved + self.paid


@dataclass(frozen=True, slots=True)
class PayoutLine:
    """An entry a payout pays (or deducts, for a reversal carried into it)."""

    entry_id: str
    order_number: int
    line_id: str
    kind: EntryKind
    amount: int


@dataclass(frozen=True, slots=True)
class Payout:
    """A batch of approved entries of one partner in one currency."""

    id: str
    partner_id: str
    currency: Currency
    total: int
    status: PayoutStatus
    created_at: datetime
    lines: tuple[PayoutLine, ...] = field(default=())
    external_reference: str | None = None
    transfer_id: str | None = None
    paid_at: datetime | None = None
    # How many chunks of entries a draft has collected (each one transaction).
    chunks: int = 0


@dataclass(frozen=True, slots=True)
class ReferredCustomer:
    """A customer a partner referred, as the partner may see it: no personal data."""

    pseudonym: str
    bound_at: datetime


@dataclass(frozen=True, slots=True)
class VisitorBinding:
    """A first-party visitor remembered on the partner whose link it clicked, until its
    first order or ``expires_at`` (a customer's binding still wins over it)."""

    visitor_id: str
    partner_id: str
    clicked_at: datetime
    expires_at: datetime

    def holds_at(self, at: datetime) -> bool:
        return self.clicked_at <= at < self.expires_at


@dataclass(frozen=True, slots=True)
class DailyClicks:
    """Clicks on a partner's links on one UTC day."""

    day: str
    clicks: int
