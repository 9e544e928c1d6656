"""The commission ledger's invariants over random sequences of payments, refunds,
disputes (opened, won, lost), approvals, payouts and replays, on DynamoDB Local, under a
rule with a monthly volume tier.

- a partner's balance is the sum of its entries;
- an order's entries sum to its commission (at the rate its month's volume gave it when
  it was paid) less what its refunds and open or lost disputes took back, pro rata, so
  no approved or paid commission remains for money the store returned;
- the month's volume counter is the net goods of the month's commissioned orders;
- delivering the same order again (a replayed stream record or Stripe event) writes
  nothing;
- a payout pays exactly the approved entries it took, and never a non-positive sum.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from affiliate_ledgers import Clock, RecordingTransfers, affiliates_on, paid_order, refunded
from commerce.affiliates.model import CommissionRule, EntryKind, EntryState, VolumeTier
from commerce.affiliates.service import AffiliatesService, CreatePayout, SetRule
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.money import Currency, Money, round_minor
from commerce.orders.model import Dispute, DisputeStatus, Order
from commerce.payments.local import LocalStripe
from commerce.problems import Rejected
from table_settings import fresh_settings

RATE = 3000  # 30 %
# From 500.00 of the month's referred net sales on, orders earn 40 %.
TIER = VolumeTier(Money(50_000, Currency.USD), 4000)


@pytest.fixture(scope="module")
def ledger_services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


def taken_back(order: Order) -> int:
    """What the store no longer holds of the payment: refunds and open or lost disputes."""
    return min(order.refunded.amount + order.disputed.amount, order.total.amount)


def line_commissions(order: Order, rate: int) -> list[int]:
    return [round_minor(Decimal(line.total.amount) * rate / 10_000) for line in order.lines]


def expected_net(order: Order, rate: int) -> int:
    """What the order should leave a partner: each line's commission at the order's rate
    less its share of what the store gave back."""
    total, taken = order.total.amount, taken_back(order)
    net = 0
    for commission in line_commissions(order, rate):
        net += commission - min(commission, round_minor(Decimal(commission) * taken / total))
    return net


def counted_sales(order: Order) -> int:
    """The order's goods in its month's volume: less their share of what was given back."""
    sales = sum(line.total.amount for line in order.lines)
    share = round_minor(Decimal(sales) * taken_back(order) / order.total.amount)
    return sales - min(sales, share)


class LedgerMachine(RuleBasedStateMachine):
    services: Services

    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.affiliates: AffiliatesService = affiliates_on(
            self.services, self.clock, RecordingTransfers()
        )
        self.partner = self.services.access.create_partner("Property", "p@example.com").id
        self.affiliates.set_rule(
            SetRule(
                self.partner,
                None,
                CommissionRule(
                    first_order_rate=RATE, repeat_rate=RATE, holding_days=30, tiers=(TIER,)
                ),
            )
        )
        self.current: dict[str, Order] = {}
        # Per order, the rate its month's volume gave it, and the month it counts in.
        self.rates: dict[str, int] = {}
        self.months: dict[str, str] = {}
        self.paid_out = 0

    def volume(self, month: str) -> int:
        return sum(
            counted_sales(order)
            for order_id, order in self.current.items()
            if self.months[order_id] == month and any(line_commissions(order, self.rates[order_id]))
        )

    @rule(
        target=orders,
        lines=st.lists(st.integers(1, 50_000), min_size=1, max_size=3),
        shipping=st.integers(0, 1_000),
        customer=st.sampled_from([None, 1, 2]),
    )
    def pay(self, lines: list[int], shipping: int, customer: int | None) -> str:
        order = paid_order(
            lines,
            paid_at=self.clock(),
            # Customers of their own per history: bindings outlive one example.
            customer_id=None if customer is None else f"{self.partner}-{customer}",
            affiliate_id=self.partner,
            shipping=shipping,
        )
        month = self.clock().strftime("%Y-%m")
        reached = self.volume(month) >= TIER.threshold.amount
        self.current[order.id] = order
        self.rates[order.id] = TIER.rate if reached else RATE
        self.months[order.id] = month
        self.affiliates.order_settled(order)
        return order.id

    @rule(order_id=orders, share=st.integers(1, 100))
    def refund(self, order_id: str, share: int) -> None:
        order = self.current[order_id]
        more = max(1, order.total.amount * share // 100)
        order = refunded(order, order.refunded.amount + more)
        self.current[order_id] = order
        self.affiliates.order_settled(order)

    @rule(order_id=orders, share=st.integers(1, 100))
    def dispute(self, order_id: str, share: int) -> None:
        order = self.current[order_id]
        amount = min(order.total.amount, max(1, order.total.amount * share // 100))
        opened = Dispute(
            f"dp_{uuid.uuid4().hex[:16]}",
            Money(amount, Currency.USD),
            DisputeStatus.OPEN,
            self.clock(),
        )
        order = replace(order, disputes=(*order.disputes, opened))
        self.current[order_id] = order
        self.affiliates.order_settled(order)

    @rule(order_id=orders, won=st.booleans())
    def close_dispute(self, order_id: str, won: bool) -> None:
        order = self.current[order_id]
        open_one = next((d for d in order.disputes if d.status is DisputeStatus.OPEN), None)
        if open_one is None:
            return
        closed = replace(open_one, status=DisputeStatus.WON if won else DisputeStatus.LOST)
        order = replace(
            order, disputes=tuple(closed if d.id == open_one.id else d for d in order.disputes)
        )
        self.current[order_id] = order
        self.affiliates.order_settled(order)

    @rule(order_id=orders)
    def replay(self, order_id: str) -> None:
        before = self.affiliates.ledger(self.partner)
        self.affiliates.order_settled(self.current[order_id])
        assert self.affiliates.ledger(self.partner) == before

    @rule(days=st.integers(1, 40))
    def approve(self, days: int) -> None:
        self.clock.advance(days=days)
        self.affiliates.approve_due(self.clock())

    @precondition(lambda self: bool(self.current))
    @rule()
    def payout(self) -> None:
        approved = self.affiliates.ledger(self.partner, EntryState.APPROVED)
        try:
            payout = self.affiliates.create_payout(CreatePayout(self.partner, Currency.USD))
        except Rejected:
            assert sum(e.amount.amount for e in approved) <= 0
            return
        assert payout.total > 0
        assert payout.total == sum(line.amount for line in payout.lines)
        assert {line.entry_id for line in payout.lines} <= {e.id for e in approved}
        self.paid_out += payout.total

    @invariant()
    def balance_is_the_sum_of_entries(self) -> None:
        entries = self.affiliates.ledger(self.partner)
        balances = self.affiliates.balances(self.partner)
        total = sum(e.amount.amount for e in entries)
        assert sum(b.total for b in balances) == total
        paid = sum(e.amount.amount for e in entries if e.state is EntryState.PAID)
        assert sum(b.paid for b in balances) == paid == self.paid_out

    @invariant()
    def every_order_leaves_its_commission_net_of_refunds(self) -> None:
        entries = self.affiliates.ledger(self.partner)
        for order_id, order in self.current.items():
            mine = [e for e in entries if e.order_id == order_id]
            assert sum(e.amount.amount for e in mine) == expected_net(order, self.rates[order_id])
            # Commissions and reversals of one order are approved together: an order
            # refunded inside its holding period never has approved money it gave back.
            if any(e.kind is EntryKind.COMMISSION and e.state is EntryState.PENDING for e in mine):
                assert all(e.state is EntryState.PENDING for e in mine)

    @invariant()
    def the_monthly_volume_is_the_net_goods_of_the_months_orders(self) -> None:
        for month in set(self.months.values()):
            found = self.affiliates.monthly_volume(self.partner, month, Currency.USD)
            assert found == self.volume(month)


@pytest.mark.usefixtures("ledger_services")
def test_the_ledger_keeps_its_invariants_over_random_histories(ledger_services: Services) -> None:
    LedgerMachine.services = ledger_services
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        derandomize=True,
        max_examples=14,
        stateful_step_count=14,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine().runTest()
