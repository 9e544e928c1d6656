"""Use cases of the affiliate program.

The events function calls ``order_settled`` for every change of a paid order (payment,
refund, replay alike): the commission is written once per order, and a refund is
reversed only for what it refunds beyond what was already reversed, so a redelivered
stream record or Stripe event writes nothing. A refund and the approval job may run at
the same moment: both rewrite the order's commission item on the condition that neither
its refund nor its state changed since they read it, so one of them reads again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from commerce.affiliates import store
from commerce.affiliates.errors import AffiliateErrorCode as Code
from commerce.affiliates.model import (
    Balance,
    Binding,
    BindingChange,
    CommissionRule,
    EntryKind,
    EntryState,
    LedgerEntry,
    OrderCommission,
    PartnerProgram,
    Payout,
    PayoutLine,
    PayoutStatus,
    ReferredCustomer,
)
from commerce.affiliates.rules import (
    after_refund,
    commission_of,
    paid_order_facts,
    reversals_for,
)
from commerce.catalog import listing
from commerce.catalog.service import CatalogService
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.money import Currency, Money
from commerce.orders.model import Order, OrderStatus
from commerce.payments.ports import PaymentUnavailable
from commerce.problems import Problem, Rejected

# One DynamoDB transaction holds 100 items; a payout is its item plus its entries.
MAX_PAYOUT_ENTRIES = 99
# How often a write that lost a race with another (refund, approval) reads again.
_ATTEMPTS = 5


class Transfers(Protocol):
    """Money sent to a partner's connected Stripe account (``stripe.Transfer.create``)."""

    def transfer(
        self, *, destination: str, amount: Money, idempotency_key: str, description: str
    ) -> str:
        """The transfer's id; ``PaymentUnavailable`` when Stripe refuses or is unreachable."""
        ...


@dataclass(frozen=True, slots=True)
class SetRule:
    """A staff member's rule for one partner, or for a group of partners."""

    partner_id: str | None
    group: str | None
    rule: CommissionRule


@dataclass(frozen=True, slots=True)
class SetProgram:
    partner_id: str
    group: str | None
    connected_account_id: str | None


@dataclass(frozen=True, slots=True)
class ChangeBinding:
    customer_id: str
    partner_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CreatePayout:
    partner_id: str
    currency: Currency


@dataclass(frozen=True, slots=True)
class MarkPayoutPaid:
    payout_id: str
    external_reference: str | None


class CommissionConflict(Exception):
    """A commission kept changing under a write for every attempt: the caller retries."""


def _reject(code: Code, message: str, *field: str) -> Rejected:
    return Rejected([Problem(code, message, tuple(field))])


def paid_at_of(order: Order) -> datetime:
    """When the order was paid (its history's move to PAID)."""
    return next(
        (c.at for c in order.history if c.to_status is OrderStatus.PAID), order.updated_at
    ).astimezone(UTC)


class AffiliatesService:
    """Rules, bindings, the commission ledger and payouts."""

    def __init__(
        self,
        partner_exists: Callable[[str], bool],
        transfers: Transfers,
        catalog: CatalogService,
        *,
        pseudonym_key: bytes,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._partner_exists = partner_exists
        self._transfers = transfers
        self._catalog = catalog
        self._pseudonym_key = pseudonym_key
        self._clock = clock

    # -- rules and programs (staff) ---------------------------------------------------------

    def set_rule(self, command: SetRule) -> CommissionRule:
        """Store the rule; bindings made before keep the rule they were made with."""
        if command.partner_id is not None and not self._partner_exists(command.partner_id):
            raise _reject(Code.PARTNER_NOT_FOUND, "No partner has this id", "partnerId")
        store.put_rule(command.partner_id, command.group, command.rule)
        return command.rule

    def set_program(self, command: SetProgram) -> PartnerProgram:
        if not self._partner_exists(command.partner_id):
            raise _reject(Code.PARTNER_NOT_FOUND, "No partner has this id", "partnerId")
        program = PartnerProgram(command.partner_id, command.group, command.connected_account_id)
        store.put_program(program)
        return program

    def program(self, partner_id: str) -> PartnerProgram:
        return store.get_program(partner_id)

    def stored_rule(self, partner_id: str | None, group: str | None) -> CommissionRule | None:
        """The rule stored for the partner itself, or for the group."""
        return store.get_rule(partner_id, group)

    def rule_for(self, partner_id: str) -> CommissionRule | None:
        """The partner's own rule, else its group's, else none."""
        own = store.get_rule(partner_id, None)
        if own is not None:
            return own
        group = store.get_program(partner_id).group
        return None if group is None else store.get_rule(None, group)

    # -- bindings ---------------------------------------------------------------------------

    def binding(self, customer_id: str) -> Binding | None:
        return store.get_binding(customer_id)

    def change_binding(self, command: ChangeBinding, actor: str) -> Binding:
        """Move a bound customer to another partner, with that partner's rule of today."""
        if not command.reason.strip():
            raise _reject(Code.REASON_REQUIRED, "Say why the binding changes", "reason")
        if not self._partner_exists(command.partner_id):
            raise _reject(Code.PARTNER_NOT_FOUND, "No partner has this id", "partnerId")
        current = store.get_binding(command.customer_id)
        if current is None:
            raise _reject(
                Code.CUSTOMER_NOT_BOUND, "The customer is bound to no partner", "customerId"
            )
        now = self._clock()
        change = BindingChange(
            now, current.partner_id, command.partner_id, actor, command.reason.strip()[:500]
        )
        changed = replace(
            current,
            partner_id=command.partner_id,
            rule=self.rule_for(command.partner_id) or CommissionRule(),
            bound_at=now,
            history=(*current.history, change),
        )
        writes = WriteSet()
        store.replace_binding(writes, changed, current.partner_id)
        try:
            writes.commit()
        except ConditionsFailed:
            raise _reject(Code.CONFLICT, "The binding changed meanwhile: read it again") from None
        return changed

    def referred_customers(self, partner_id: str) -> list[ReferredCustomer]:
        """The partner's customers under a pseudonym of its own (no personal data)."""
        return [
            ReferredCustomer(self.pseudonym(partner_id, b.customer_id), b.bound_at)
            for b in store.referred(partner_id)
        ]

    def pseudonym(self, partner_id: str, customer_id: str) -> str:
        """A stable id of the customer for one partner; two partners get different ones."""
        digest = hashlib.blake2b(
            f"{partner_id}:{customer_id}".encode(), key=self._pseudonym_key, digest_size=12
        )
        return digest.hexdigest()

    # -- the ledger, from the events function -----------------------------------------------

    def order_settled(self, order: Order) -> OrderCommission | None:
        """The paid order's commission, written once, with its refunds reversed once."""
        if order.paid_amount is None or not order.is_paid:
            return None
        found = store.get_commission(order.id)
        commission = found[0] if found else self._commission_new(order)
        if commission is None:
            return None
        if order.refunded.amount > commission.refunded_seen:
            return self._reverse(order.id, order.refunded.amount)
        return commission

    def _commission_new(self, order: Order) -> OrderCommission | None:
        facts = paid_order_facts(order, paid_at_of(order))
        for _ in range(_ATTEMPTS):
            writes = WriteSet()
            binding = store.get_binding(facts.customer_id) if facts.customer_id else None
            if binding is not None:
                partner, rule = binding.partner_id, binding.rule
                first, bound_at = binding.first_order_id == order.id, binding.bound_at
            elif facts.affiliate_id is not None:
                partner = facts.affiliate_id
                rule = self.rule_for(partner) or CommissionRule()
                first, bound_at = True, facts.paid_at
                if facts.customer_id is not None:
                    store.add_binding(
                        writes,
                        Binding(facts.customer_id, partner, rule, facts.paid_at, order.id),
                    )
            else:
                return None
            commission = commission_of(facts, partner, rule, first_order=first, bound_at=bound_at)
            if commission is not None:
                entries = [
                    (
                        LedgerEntry(
                            id=store.entry_id_of(partner, sk),
                            partner_id=partner,
                            order_id=order.id,
                            order_number=order.number,
                            line_id=line.line_id,
                            kind=EntryKind.COMMISSION,
                            amount=Money(line.amount, facts.currency),
                            state=EntryState.PENDING,
                            created_at=facts.paid_at,
                            rate=line.rate,
                            base=line.base,
                        ),
                        sk,
                    )
                    for seq, line in enumerate(commission.lines)
                    for sk in [store.entry_sk(facts.paid_at, order.id, seq)]
                ]
                commission = replace(commission, entries=len(entries))
                store.add_commission(writes, commission, entries)
            try:
                writes.commit()
            except ConditionsFailed:
                # Another delivery of this order got there first (or bound the customer
                # meanwhile): read what it wrote.
                found = store.get_commission(order.id)
                if found is not None:
                    return found[0]
                continue
            return commission
        raise CommissionConflict(order.id)

    def _reverse(self, order_id: str, refunded: int) -> OrderCommission | None:
        for _ in range(_ATTEMPTS):
            found = store.get_commission(order_id)
            if found is None:
                return None
            commission, keys = found
            taken = reversals_for(commission, refunded)
            if not taken:
                return commission
            # Before approval a reversal waits with its commission (they are approved
            # together, net); after it, the reversal is payable at once, against the
            # partner's approved balance or its next payout.
            state = (
                EntryState.PENDING
                if commission.state is EntryState.PENDING
                else EntryState.APPROVED
            )
            now = self._clock()
            lines = {line.line_id: line for line in commission.lines}
            new_entries = []
            for offset, (line_id, amount) in enumerate(sorted(taken.items())):
                sk = store.entry_sk(now, order_id, commission.entries + offset)
                new_entries.append(
                    (
                        LedgerEntry(
                            id=store.entry_id_of(commission.partner_id, sk),
                            partner_id=commission.partner_id,
                            order_id=order_id,
                            order_number=commission.order_number,
                            line_id=line_id,
                            kind=EntryKind.REVERSAL,
                            amount=Money(-amount, commission.currency),
                            state=state,
                            created_at=now,
                            rate=lines[line_id].rate,
                            base=lines[line_id].base,
                        ),
                        sk,
                    )
                )
            after = after_refund(commission, refunded, taken, len(new_entries))
            writes = WriteSet()
            store.replace_commission(
                writes, after, keys + [sk for _, sk in new_entries], commission, new_entries
            )
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return after
        raise CommissionConflict(order_id)

    def commission(self, order_id: str) -> OrderCommission | None:
        found = store.get_commission(order_id)
        return None if found is None else found[0]

    def net_commission(self, order_id: str) -> Money | None:
        """What the order's commission costs the store now: every line's amount less what
        refunds reversed (journeys' cohort report joins it); None when it earned none."""
        found = store.get_commission(order_id)
        if found is None:
            return None
        commission = found[0]
        net = sum(line.amount - line.reversed for line in commission.lines)
        return Money(net, commission.currency)

    # -- approval (the jobs function) -------------------------------------------------------

    def approve_due(self, now: datetime, limit: int = 500) -> int:
        """Approve the commissions whose holding period ended by ``now``; how many."""
        return sum(self._approve(order_id, now) for order_id in store.due_for_approval(now, limit))

    def _approve(self, order_id: str, now: datetime) -> bool:
        for _ in range(_ATTEMPTS):
            found = store.get_commission(order_id)
            if found is None:
                return False
            commission, keys = found
            if commission.state is not EntryState.PENDING or commission.hold_until > now:
                return False
            writes = WriteSet()
            approved = replace(commission, state=EntryState.APPROVED)
            store.replace_commission(writes, approved, keys, commission)
            for sk in keys:
                store.move_entry(
                    writes, commission.partner_id, sk, (EntryState.PENDING, EntryState.APPROVED)
                )
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return True
        raise CommissionConflict(order_id)

    # -- reads ------------------------------------------------------------------------------

    def ledger(self, partner_id: str, state: EntryState | None = None) -> list[LedgerEntry]:
        """The partner's entries, newest first; only those in ``state`` when given."""
        entries = store.entries_of(partner_id)
        return [e for e in reversed(entries) if state is None or e.state is state]

    def balances(self, partner_id: str) -> list[Balance]:
        """The sums of the partner's entries by currency and state."""
        sums: dict[Currency, dict[EntryState, int]] = {}
        for entry in store.entries_of(partner_id):
            by_state = sums.setdefault(entry.amount.currency, {})
            by_state[entry.state] = by_state.get(entry.state, 0) + entry.amount.amount
        return [
            Balance(
                currency,
                pending=s.get(EntryState.PENDING, 0),
                approved=s.get(EntryState.APPROVED, 0),
                paid=s.get(EntryState.PAID, 0),
            )
            for currency, s in sorted(sums.items(), key=lambda kv: kv[0].value)
        ]

    def payouts(self, partner_id: str) -> list[Payout]:
        return list(reversed(store.payouts_of(partner_id)))

    def payout(self, payout_id: str) -> Payout | None:
        return store.get_payout(payout_id)

    def product_feed(
        self, currency: Currency, first: int, after: str | None
    ) -> listing.ProductPage:
        """Published products by title, a page at a time (from the in-memory catalog view);
        ``ListingError`` for a bad cursor or page size."""
        return self._catalog.list_products(
            self._catalog.view(),
            listing.ProductQuery(currency=currency),
            listing.PageRequest(first=first, after=after),
        )

    # -- payouts (staff) --------------------------------------------------------------------

    def create_payout(self, command: CreatePayout) -> Payout:
        """A payout of the partner's approved entries in the currency, oldest first.

        Reversals approved after a payout are in it too: a refund after payout is taken
        from the next one. Nothing is paid when the sum is not positive.
        """
        if not self._partner_exists(command.partner_id):
            raise _reject(Code.PARTNER_NOT_FOUND, "No partner has this id", "partnerId")
        approved = [
            (entry, sk)
            for entry, sk in store.entries_in_state(
                command.partner_id, EntryState.APPROVED, limit=1000
            )
            if entry.amount.currency is command.currency
        ][:MAX_PAYOUT_ENTRIES]
        total = sum(entry.amount.amount for entry, _ in approved)
        if not approved or total <= 0:
            raise _reject(
                Code.NOTHING_TO_PAY, "The partner has no approved balance in this currency"
            )
        payout = Payout(
            id=uuid.uuid4().hex,
            partner_id=command.partner_id,
            currency=command.currency,
            total=total,
            status=PayoutStatus.OPEN,
            created_at=self._clock(),
            lines=tuple(
                PayoutLine(e.id, e.order_number, e.line_id, e.kind, e.amount.amount)
                for e, _ in approved
            ),
        )
        writes = WriteSet()
        store.add_payout(writes, payout)
        for _, sk in approved:
            store.move_entry(
                writes,
                command.partner_id,
                sk,
                (EntryState.APPROVED, EntryState.PAID),
                payout_id=payout.id,
            )
        try:
            writes.commit()
        except ConditionsFailed:
            raise _reject(
                Code.CONFLICT, "Entries changed meanwhile: create the payout again"
            ) from None
        return payout

    def mark_payout_paid(self, command: MarkPayoutPaid) -> Payout:
        """The payout paid: by a Stripe transfer to the partner's connected account when it
        has one (the payout's id is the idempotency key), else by the reference given."""
        payout = store.get_payout(command.payout_id)
        if payout is None:
            raise _reject(Code.PAYOUT_NOT_FOUND, "No payout has this id", "payoutId")
        if payout.status is PayoutStatus.PAID:
            raise _reject(Code.PAYOUT_ALREADY_PAID, "The payout was paid already", "payoutId")
        reference = (command.external_reference or "").strip() or None
        account = store.get_program(payout.partner_id).connected_account_id
        transfer_id = None
        if account:
            try:
                transfer_id = self._transfers.transfer(
                    destination=account,
                    amount=Money(payout.total, payout.currency),
                    idempotency_key=f"payout-{payout.id}",
                    description=f"Affiliate payout {payout.id}",
                )
            except PaymentUnavailable:
                raise _reject(
                    Code.TRANSFER_FAILED, "Stripe did not make the transfer: try again later"
                ) from None
        elif reference is None:
            raise _reject(
                Code.REFERENCE_REQUIRED,
                "Give the bank transfer's reference (the partner has no Stripe account)",
                "externalReference",
            )
        paid = replace(
            payout,
            status=PayoutStatus.PAID,
            external_reference=reference or transfer_id,
            transfer_id=transfer_id,
            paid_at=self._clock(),
        )
        writes = WriteSet()
        store.mark_paid(writes, paid)
        try:
            writes.commit()
        except ConditionsFailed:
            raise _reject(
                Code.PAYOUT_ALREADY_PAID, "The payout was paid already", "payoutId"
            ) from None
        return paid

    def payout_csv(self, payout_id: str) -> str | None:
        """The payout as CSV, one row per entry: what a bank or accounting tool imports."""
        payout = store.get_payout(payout_id)
        if payout is None:
            return None
        return payout_csv(payout)


def payout_csv(payout: Payout) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "payout_id",
            "partner_id",
            "status",
            "entry_id",
            "order_number",
            "line",
            "kind",
            "amount",
            "currency",
        ]
    )
    for line in payout.lines:
        writer.writerow(
            [
                payout.id,
                payout.partner_id,
                payout.status.value,
                line.entry_id,
                line.order_number,
                line.line_id,
                line.kind.value,
                str(Money(line.amount, payout.currency).to_decimal()),
                payout.currency.value,
            ]
        )
    writer.writerow(
        [
            payout.id,
            payout.partner_id,
            payout.status.value,
            "TOTAL",
            "",
            "",
            "",
            str(Money(payout.total, payout.currency).to_decimal()),
            payout.currency.value,
        ]
    )
    return out.getvalue()
