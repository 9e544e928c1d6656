"""The commission ledger's invariants over random sequences of payments, refunds,
approvals, payouts and replays, on DynamoDB Local.

- a partner's balance is the sum of its entries;
- an order's entries sum to its commission less what its refunds gave back, pro rata, so
  no approved or paid commission remains for money the store returned;
- delivering the same order again (a replayed stream record or Stripe event) writes
  nothing;
- a payout pays exactly the approved entries it took, and never a non-positive sum.
"""

from __future__ import annotations

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
from commerce.affiliates.model import CommissionRule, EntryKind, EntryState
from commerce.affiliates.service import AffiliatesService, CreatePayout, SetRule
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.money import Currency, round_minor
from commerce.orders.model import Order
from commerce.payments.local import LocalStripe
from commerce.problems import Rejected
from table_settings import fresh_settings

RATE = 3000  # 30 %


@pytest.fixture(scope="module")
def ledger_services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


def expected_net(order: Order) -> int:
    """What the order should leave a partner: each line's 30 % less its refunded share."""
    total = order.total.amount
    refunded_amount = order.refunded.amount
    net = 0
    for line in order.lines:
        commission = round_minor(Decimal(line.total.amount) * RATE / 10_000)
        taken = min(commission, round_minor(Decimal(commission) * refunded_amount / total))
        net += commission - taken
    return net


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
                CommissionRule(first_order_rate=RATE, repeat_rate=RATE, holding_days=30),
            )
        )
        self.current: dict[str, Order] = {}
        self.paid_out = 0

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
        self.current[order.id] = order
        self.affiliates.order_settled(order)
        return order.id

    @rule(order_id=orders, share=st.integers(1, 100))
    def refund(self, order_id: str, share: int) -> None:
        order = self.current[order_id]
        more = max(1, order.total.amount * share // 100)
        order = refunded(order, order.refunded.amount + more)
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
            assert sum(e.amount.amount for e in mine) == expected_net(order)
            # Commissions and reversals of one order are approved together: an order
            # refunded inside its holding period never has approved money it gave back.
            if any(e.kind is EntryKind.COMMISSION and e.state is EntryState.PENDING for e in mine):
                assert all(e.state is EntryState.PENDING for e in mine)


@pytest.mark.usefixtures("ledger_services")
def test_the_ledger_keeps_its_invariants_over_random_histories(ledger_services: Services) -> None:
    LedgerMachine.services = ledger_services
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        derandomize=True,
        max_examples=12,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine().runTest()
