"""Use cases of the affiliate program.

The events function calls ``order_settled`` for every change of a paid order (payment,
refund, replay alike): the commission is written once per order, and a refund is
reversed only for what it refunds beyond what was already reversed, so a redelivered
stream record or Stripe event writes nothing. A refund and the approval job may run at
the same moment: both rewrite the order's commission item on the condition that neither
its refund nor its state changed since they read it, so one of them reads again.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from commerce.affiliates import store
from commerce.affiliates.errors import AffiliateErrorCode as Code
from commerce.affiliates.model import (
    Balance,
    Binding,
    BindingChange,
    CommissionRule,
    DailyClicks,
    EntryKind,
    EntryState,
    LedgerEntry,
    OrderCommission,
    PartnerProgram,
    Payout,
    PayoutLine,
    PayoutStatus,
    ReferredCustomer,
    VisitorBinding,
)
from commerce.affiliates.rules import (
    after_refund,
    commission_of,
    paid_order_facts,
    reversals_for,
    tier_of,
    volume_month,
)
from commerce.catalog import listing
from commerce.catalog.service import CatalogService
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.money import Currency, Money
from commerce.orders.model import Order, OrderStatus
from commerce.payments.ports import PaymentUnavailable
from commerce.problems import Problem, Rejected

# One DynamoDB transaction holds 100 items; a payout's chunk is its item plus entries.
MAX_PAYOUT_ENTRIES = 99
# How often a chunk that lost a race (or read a stale index) is read and tried again.
_CHUNK_ATTEMPTS = 10
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
        click_days: int = 30,
        first_click: bool = False,
    ) -> None:
        self._click_window = timedelta(days=click_days)
        self._first_click = first_click
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

    # -- clicks, from the events function ----------------------------------------------------

    def visitor_clicked(
        self, visitor_id: str, event_id: str, partner_id: str, at: datetime
    ) -> bool:
        """A click on the partner's link: the visitor remembered on the partner (last
        click wins unless the store chose the first), and the partner's day counted once
        per event. False for a partner that does not exist or a click counted already."""
        if not self._partner_exists(partner_id):
            return False
        clicked = at.astimezone(UTC)
        binding = VisitorBinding(visitor_id, partner_id, clicked, clicked + self._click_window)
        writes = WriteSet()
        store.bind_visitor(writes, binding, first_click=self._first_click)
        # A later click (or, when the first click wins, an earlier one) holds the visitor.
        with contextlib.suppress(ConditionsFailed):
            writes.commit()
        writes = WriteSet()
        store.count_click(writes, partner_id, event_id, clicked)
        try:
            writes.commit()
        except ConditionsFailed:
            return False
        return True

    def visitor_binding(self, visitor_id: str) -> VisitorBinding | None:
        return store.get_visitor_binding(visitor_id)

    def clicks(self, partner_id: str, first_day: date, last_day: date) -> list[DailyClicks]:
        """The partner's clicks per UTC day over the range, days without clicks at 0."""
        counted = store.clicks_between(partner_id, first_day.isoformat(), last_day.isoformat())
        days = (last_day - first_day).days + 1
        return [
            DailyClicks(day.isoformat(), counted.get(day.isoformat(), 0))
            for day in (first_day + timedelta(days=n) for n in range(days))
        ]

    # -- the ledger, from the events function -----------------------------------------------

    def order_settled(self, order: Order) -> OrderCommission | None:
        """The paid order's commission, written once, with its refunds reversed once."""
        if order.paid_amount is None or not order.is_paid:
            return None
        found = store.get_commission(order.id)
        commission = found[0] if found else self._commission_new(order)
        if commission is None:
            return None
        refunded, disputed = order.refunded.amount, order.disputed.amount
        if refunded > commission.refunded_seen or disputed != commission.disputed_seen:
            return self._reverse(order.id, refunded, disputed)
        return commission

    def _commission_new(self, order: Order) -> OrderCommission | None:
        facts = paid_order_facts(order, paid_at_of(order))
        month = volume_month(facts.paid_at)
        for _ in range(_ATTEMPTS):
            writes = WriteSet()
            binding = store.get_binding(facts.customer_id) if facts.customer_id else None
            if binding is not None:
                partner, rule = binding.partner_id, binding.rule
                first, bound_at = binding.first_order_id == order.id, binding.bound_at
            elif (partner_of_order := self._referrer(order, facts.paid_at, writes)) is not None:
                partner = partner_of_order
                rule = self.rule_for(partner) or CommissionRule()
                first, bound_at = True, facts.paid_at
                if facts.customer_id is not None:
                    store.add_binding(
                        writes,
                        Binding(facts.customer_id, partner, rule, facts.paid_at, order.id),
                    )
            else:
                return None
            # Tiers are the partner's of today (its volume is today's); the rate fixed at
            # binding stays the base, which a tier only ever raises.
            tiers = (self.rule_for(partner) or rule).tiers
            tier_rate, band = 0, None
            if any(t.threshold.currency is facts.currency for t in tiers):
                volume = store.get_volume(partner, month, facts.currency)
                tier_rate, low, high = tier_of(tiers, facts.currency, volume)
                band = (low, high)
            commission = commission_of(
                facts, partner, rule, first_order=first, bound_at=bound_at, tier_rate=tier_rate
            )
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
                # The volume counts the order in the same write, on the condition that it is
                # still in the band the tier was read from (a concurrent order reads again).
                store.add_volume(
                    writes, partner, month, facts.currency, commission.sales_counted, band=band
                )
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

    def _referrer(self, order: Order, paid_at: datetime, writes: WriteSet) -> str | None:
        """The cart's affiliate, else the partner whose link the order's visitor clicked
        inside the window (that binding is used up by this order, in its write)."""
        if order.affiliate_id is not None:
            return order.affiliate_id
        if order.visitor_id is None:
            return None
        clicked = store.get_visitor_binding(order.visitor_id)
        if clicked is None or not clicked.holds_at(paid_at):
            return None
        store.unbind_visitor(writes, clicked)
        return clicked.partner_id

    def _reverse(self, order_id: str, refunded: int, disputed: int) -> OrderCommission | None:
        """Write what refunds and disputes take back (or a won dispute gives back) beyond
        what the order's entries already say, and the month's volume with it."""
        for _ in range(_ATTEMPTS):
            found = store.get_commission(order_id)
            if found is None:
                return None
            commission, keys = found
            taken = reversals_for(commission, refunded, disputed)
            if not taken and after_refund(commission, refunded, {}, 0, disputed) == commission:
                return commission
            disputing = disputed > commission.disputed_seen
            taking = EntryKind.DISPUTE if disputing else EntryKind.REVERSAL
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
                            kind=taking if amount > 0 else EntryKind.DISPUTE_WON,
                            amount=Money(-amount, commission.currency),
                            state=state,
                            created_at=now,
                            rate=lines[line_id].rate,
                            base=lines[line_id].base,
                        ),
                        sk,
                    )
                )
            after = after_refund(commission, refunded, taken, len(new_entries), disputed)
            writes = WriteSet()
            store.replace_commission(
                writes, after, keys + [sk for _, sk in new_entries], commission, new_entries
            )
            # A refund or dispute takes the order's goods off the month the order was paid
            # in (the month whose tier it was priced at), whenever it comes.
            moved = after.sales_counted - commission.sales_counted
            if moved:
                store.add_volume(
                    writes, commission.partner_id, commission.month, commission.currency, moved
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

    def monthly_volume(self, partner_id: str, month: str, currency: Currency) -> int:
        """The partner's referred net sales of ``month`` (``2026-12``) in ``currency``."""
        return store.get_volume(partner_id, month, currency)

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
        from the next one. Nothing is paid when the sum is not positive. The payout is
        built in steps: a DRAFT collects the entries a chunk (one transaction) at a time,
        each entry moved only if it is still approved, so none is ever in two payouts;
        then it is finalised (OPEN). A run that stopped half way (a crash, a timeout) is
        resumed by the next ``create_payout`` of the partner and currency.
        """
        if not self._partner_exists(command.partner_id):
            raise _reject(Code.PARTNER_NOT_FOUND, "No partner has this id", "partnerId")
        draft = self._draft(command)
        if draft is None:
            approved = store.approved_in(command.partner_id, command.currency)
            total = sum(entry.amount.amount for entry, _ in approved)
            if not approved or total <= 0:
                raise _reject(
                    Code.NOTHING_TO_PAY, "The partner has no approved balance in this currency"
                )
            started = Payout(
                id=uuid.uuid4().hex,
                partner_id=command.partner_id,
                currency=command.currency,
                total=0,
                status=PayoutStatus.DRAFT,
                created_at=self._clock(),
            )
            writes = WriteSet()
            store.start_draft(writes, started)
            try:
                writes.commit()
                draft = started
            except ConditionsFailed:
                # Another run started one meanwhile: carry on with it.
                draft = self._draft(command)
                if draft is None:
                    raise _reject(
                        Code.CONFLICT, "Entries changed meanwhile: create the payout again"
                    ) from None
        return self._collect(draft)

    def _draft(self, command: CreatePayout) -> Payout | None:
        draft_id = store.draft_of(command.partner_id, command.currency)
        return None if draft_id is None else store.get_payout(draft_id)

    def _collect(self, payout: Payout) -> Payout:
        """Move approved entries into the draft a chunk at a time, then finalise it."""
        failures = 0
        while payout.status is PayoutStatus.DRAFT:
            chunk = store.approved_in(payout.partner_id, payout.currency, MAX_PAYOUT_ENTRIES)
            writes = WriteSet()
            if chunk:
                after = replace(
                    payout,
                    total=payout.total + sum(e.amount.amount for e, _ in chunk),
                    lines=payout.lines
                    + tuple(
                        PayoutLine(e.id, e.order_number, e.line_id, e.kind, e.amount.amount)
                        for e, _ in chunk
                    ),
                    chunks=payout.chunks + 1,
                )
                store.extend_draft(writes, after, payout.chunks)
                for _, sk in chunk:
                    store.move_entry(
                        writes,
                        payout.partner_id,
                        sk,
                        (EntryState.APPROVED, EntryState.PAID),
                        payout_id=payout.id,
                    )
            else:
                after = replace(payout, status=PayoutStatus.OPEN)
                store.finish_draft(writes, after, payout.chunks)
            try:
                writes.commit()
            except ConditionsFailed:
                # An entry moved meanwhile (a stale index read, another run of this
                # draft): read the draft again and carry on from what it holds.
                failures += 1
                if failures > _CHUNK_ATTEMPTS:
                    raise _reject(
                        Code.CONFLICT, "Entries kept changing: create the payout again (it resumes)"
                    ) from None
                time.sleep(0.05 * failures)
                found = store.get_payout(payout.id)
                if found is None:
                    raise CommissionConflict(payout.id) from None
                payout = found
                continue
            payout = after
        return payout

    def mark_payout_paid(self, command: MarkPayoutPaid) -> Payout:
        """The payout paid: by a Stripe transfer to the partner's connected account when it
        has one (the payout's id is the idempotency key), else by the reference given."""
        payout = store.get_payout(command.payout_id)
        if payout is None:
            raise _reject(Code.PAYOUT_NOT_FOUND, "No payout has this id", "payoutId")
        if payout.status is PayoutStatus.PAID:
            raise _reject(Code.PAYOUT_ALREADY_PAID, "The payout was paid already", "payoutId")
        if payout.status is PayoutStatus.DRAFT:
            raise _reject(
                Code.PAYOUT_NOT_FINAL,
                "The payout is still collecting entries: create it again to finish it",
                "payoutId",
            )
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
