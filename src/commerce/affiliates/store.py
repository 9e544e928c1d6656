"""Keys, items and repository functions of the affiliate program.

Keys (see ``docs/data-model.md``):

- ``PARTNER#<partner id> / AFFILIATE_PROGRAM``: the partner's group and connected account.
- ``AFFILIATERULE#PARTNER#<partner id>`` or ``AFFILIATERULE#GROUP#<group> / RULE``: a rule.
- ``CUSTOMER#<customer id> / AFFILIATE``: the customer's binding (partner, the rule of the
  moment, history); GSI1 ``REFERRED#<partner id> / <bound at>#<customer id>``.
- ``ORDERCOMMISSION#<order id> / COMMISSION``: the order's commission per line, what was
  reversed, the refund seen, its state; GSI1 ``COMMISSIONS#PENDING / <hold until>#<order
  id>`` while pending (the approval job's Query).
- ``PARTNER#<partner id> / COMMISSION#<created at>#<order id>#<nnn>``: one ledger entry
  (``CommissionEntry``); GSI2 ``COMMISSIONS#<partner id>#<state> / <created at>#...``.
- ``PARTNER#<partner id> / VOLUME#<yyyy-mm>#<currency>``: the partner's referred net
  sales of a calendar month (``PartnerVolume``), added to in the commission's write.
- ``PAYOUTDRAFT#<partner id>#<currency> / DRAFT``: the one payout of the partner in the
  currency still collecting entries (``PayoutDraft``); gone once it is finalised.
- ``VISITOR#<visitor id> / AFFILIATE``: the partner whose link the visitor clicked
  (``VisitorAffiliate``), until its first order or ``ttl``.
- ``PARTNER#<partner id> / CLICKS#<yyyy-mm-dd>``: the partner's clicks of a UTC day
  (``PartnerClicks``); ``PARTNER#<partner id> / CLICKEVENT#<event id>`` marks a click
  counted (``PartnerClick``, expires after two days), so a replay counts nothing.
- ``PAYOUT#<payout id> / PAYOUT``: a payout and its lines; GSI1 ``PAYOUTS#<partner id> /
  <created at>#<payout id>``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from commerce.affiliates.model import (
    Binding,
    BindingChange,
    CommissionLine,
    CommissionRule,
    EntryKind,
    EntryState,
    LedgerEntry,
    OrderCommission,
    PartnerProgram,
    Payout,
    PayoutLine,
    PayoutStatus,
    VisitorBinding,
    VolumeTier,
)
from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.money import Currency, Money

PROGRAM_SK = "AFFILIATE_PROGRAM"
RULE_SK = "RULE"
BINDING_SK = "AFFILIATE"
COMMISSION_SK = "COMMISSION"
PAYOUT_SK = "PAYOUT"
PENDING_COMMISSIONS = "COMMISSIONS#PENDING"


class ProgramItem(TableItem, discriminator="AffiliateProgram"):
    partner_id = UnicodeAttribute()
    group = UnicodeAttribute(null=True)
    connected_account_id = UnicodeAttribute(null=True)


class RuleItem(TableItem, discriminator="CommissionRule"):
    body = UnicodeAttribute()


class BindingItem(TableItem, discriminator="AffiliateBinding"):
    customer_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    bound_at = UTCDateTimeAttribute()
    first_order_id = UnicodeAttribute(null=True)
    rule = UnicodeAttribute()
    history = UnicodeAttribute()


class OrderCommissionItem(TableItem, discriminator="OrderCommission"):
    order_id = UnicodeAttribute()
    order_number = NumberAttribute()
    partner_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    currency = UnicodeAttribute()
    paid_total = NumberAttribute()
    paid_at = UTCDateTimeAttribute()
    hold_until = UTCDateTimeAttribute()
    state = UnicodeAttribute()
    refunded_seen = NumberAttribute()
    entries = NumberAttribute()
    first_order = NumberAttribute()
    # JSON: [[line id, base, rate, amount, reversed], ...] and the entries' sort keys.
    lines = UnicodeAttribute()
    entry_keys = UnicodeAttribute()
    # Absent on commissions written before disputes and monthly volumes were kept.
    disputed_seen = NumberAttribute(null=True)
    sales = NumberAttribute(null=True)
    sales_counted = NumberAttribute(null=True)


class VolumeItem(TableItem, discriminator="PartnerVolume"):
    partner_id = UnicodeAttribute()
    month = UnicodeAttribute()
    currency = UnicodeAttribute()
    sales = NumberAttribute()


class CommissionEntryItem(TableItem, discriminator="CommissionEntry"):
    entry_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    order_number = NumberAttribute()
    line_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    state = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    rate = NumberAttribute()
    base = NumberAttribute()
    payout_id = UnicodeAttribute(null=True)


class PayoutItem(TableItem, discriminator="Payout"):
    payout_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    total = NumberAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    lines = UnicodeAttribute()
    external_reference = UnicodeAttribute(null=True)
    transfer_id = UnicodeAttribute(null=True)
    paid_at = UTCDateTimeAttribute(null=True)
    chunks = NumberAttribute(null=True)


class VisitorBindingItem(TableItem, discriminator="VisitorAffiliate"):
    visitor_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    clicked_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()


class ClickItem(TableItem, discriminator="PartnerClick"):
    """A click counted: replays of its stream record find it."""


class ClicksItem(TableItem, discriminator="PartnerClicks"):
    day = UnicodeAttribute()
    clicks = NumberAttribute()


class PayoutDraftItem(TableItem, discriminator="PayoutDraft"):
    payout_id = UnicodeAttribute()


# -- keys ---------------------------------------------------------------------------------


def partner_pk(partner_id: str) -> str:
    return f"PARTNER#{partner_id}"


def rule_pk(partner_id: str | None, group: str | None) -> str:
    return f"AFFILIATERULE#PARTNER#{partner_id}" if partner_id else f"AFFILIATERULE#GROUP#{group}"


def binding_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def referred_pk(partner_id: str) -> str:
    return f"REFERRED#{partner_id}"


def commission_pk(order_id: str) -> str:
    return f"ORDERCOMMISSION#{order_id}"


def entries_by_state_pk(partner_id: str, state: EntryState) -> str:
    return f"COMMISSIONS#{partner_id}#{state.value}"


def payout_pk(payout_id: str) -> str:
    return f"PAYOUT#{payout_id}"


def payouts_pk(partner_id: str) -> str:
    return f"PAYOUTS#{partner_id}"


def entry_sk(created_at: datetime, order_id: str, seq: int) -> str:
    return f"COMMISSION#{created_at.isoformat()}#{order_id}#{seq:03d}"


# -- programs and rules -------------------------------------------------------------------


def get_program(partner_id: str) -> PartnerProgram:
    try:
        item = ProgramItem.get(partner_pk(partner_id), PROGRAM_SK)
    except ProgramItem.DoesNotExist:
        return PartnerProgram(partner_id)
    return PartnerProgram(partner_id, item.group, item.connected_account_id)


def put_program(program: PartnerProgram) -> None:
    ProgramItem(
        pk=partner_pk(program.partner_id),
        sk=PROGRAM_SK,
        partner_id=program.partner_id,
        group=program.group,
        connected_account_id=program.connected_account_id,
    ).save()


def rule_body(rule: CommissionRule) -> str:
    fixed = rule.fixed_per_order
    return json.dumps(
        {
            "first": rule.first_order_rate,
            "repeat": rule.repeat_rate,
            "months": rule.repeat_months,
            "products": [list(p) for p in rule.product_rates],
            "fixed": None if fixed is None else [fixed.amount, fixed.currency.value],
            "hold": rule.holding_days,
            "collections": [list(c) for c in rule.collection_rates],
            "tiers": [[t.threshold.amount, t.threshold.currency.value, t.rate] for t in rule.tiers],
        },
        separators=(",", ":"),
    )


def rule_of(body: str) -> CommissionRule:
    raw: dict[str, Any] = json.loads(body)
    fixed = raw["fixed"]
    return CommissionRule(
        first_order_rate=int(raw["first"]),
        repeat_rate=int(raw["repeat"]),
        repeat_months=None if raw["months"] is None else int(raw["months"]),
        product_rates=tuple((str(p), int(r)) for p, r in raw["products"]),
        fixed_per_order=None if fixed is None else Money(int(fixed[0]), Currency(fixed[1])),
        holding_days=int(raw["hold"]),
        collection_rates=tuple((str(c), int(r)) for c, r in raw.get("collections", [])),
        tiers=tuple(
            VolumeTier(Money(int(a), Currency(c)), int(r)) for a, c, r in raw.get("tiers", [])
        ),
    )


def get_rule(partner_id: str | None, group: str | None) -> CommissionRule | None:
    try:
        item = RuleItem.get(rule_pk(partner_id, group), RULE_SK, consistent_read=True)
    except RuleItem.DoesNotExist:
        return None
    return rule_of(item.body)


def put_rule(partner_id: str | None, group: str | None, rule: CommissionRule) -> None:
    RuleItem(pk=rule_pk(partner_id, group), sk=RULE_SK, body=rule_body(rule)).save()


# -- bindings -----------------------------------------------------------------------------


def _history(changes: tuple[BindingChange, ...]) -> str:
    return json.dumps(
        [[c.at.isoformat(), c.from_partner_id, c.to_partner_id, c.actor, c.reason] for c in changes]
    )


def _binding(item: BindingItem) -> Binding:
    history = tuple(
        BindingChange(datetime.fromisoformat(h[0]), h[1], h[2], h[3], h[4])
        for h in json.loads(item.history)
    )
    return Binding(
        customer_id=item.customer_id,
        partner_id=item.partner_id,
        rule=rule_of(item.rule),
        bound_at=item.bound_at.astimezone(UTC),
        first_order_id=item.first_order_id,
        history=history,
    )


def _binding_item(binding: Binding) -> BindingItem:
    return BindingItem(
        pk=binding_pk(binding.customer_id),
        sk=BINDING_SK,
        gsi1pk=referred_pk(binding.partner_id),
        gsi1sk=f"{binding.bound_at.isoformat()}#{binding.customer_id}",
        customer_id=binding.customer_id,
        partner_id=binding.partner_id,
        bound_at=binding.bound_at,
        first_order_id=binding.first_order_id,
        rule=rule_body(binding.rule),
        history=_history(binding.history),
    )


def get_binding(customer_id: str) -> Binding | None:
    try:
        item = BindingItem.get(binding_pk(customer_id), BINDING_SK, consistent_read=True)
    except BindingItem.DoesNotExist:
        return None
    return _binding(item)


def add_binding(writes: WriteSet, binding: Binding) -> None:
    """Bind once: the write set fails on ``bound`` if the customer is bound already."""
    writes.put(_binding_item(binding), BindingItem.pk.does_not_exist(), label="bound")


def replace_binding(writes: WriteSet, binding: Binding, partner_before: str) -> None:
    writes.put(_binding_item(binding), BindingItem.partner_id == partner_before, label="bound")


def referred(partner_id: str) -> list[Binding]:
    return [_binding(cast(BindingItem, i)) for i in BindingItem.gsi1.query(referred_pk(partner_id))]


# -- the order's commission and its entries -----------------------------------------------


def _commission_item(commission: OrderCommission, entry_keys: list[str]) -> OrderCommissionItem:
    pending = commission.state is EntryState.PENDING
    return OrderCommissionItem(
        pk=commission_pk(commission.order_id),
        sk=COMMISSION_SK,
        gsi1pk=PENDING_COMMISSIONS if pending else None,
        gsi1sk=f"{commission.hold_until.isoformat()}#{commission.order_id}" if pending else None,
        order_id=commission.order_id,
        order_number=commission.order_number,
        partner_id=commission.partner_id,
        customer_id=commission.customer_id,
        currency=commission.currency.value,
        paid_total=commission.paid_total,
        paid_at=commission.paid_at,
        hold_until=commission.hold_until,
        state=commission.state.value,
        refunded_seen=commission.refunded_seen,
        entries=commission.entries,
        first_order=int(commission.first_order),
        lines=json.dumps(
            [[x.line_id, x.base, x.rate, x.amount, x.reversed] for x in commission.lines]
        ),
        entry_keys=json.dumps(entry_keys),
        disputed_seen=commission.disputed_seen,
        sales=commission.sales,
        sales_counted=commission.sales_counted,
    )


def _commission(item: OrderCommissionItem) -> tuple[OrderCommission, list[str]]:
    lines = tuple(
        CommissionLine(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]))
        for r in json.loads(item.lines)
    )
    commission = OrderCommission(
        order_id=item.order_id,
        order_number=int(item.order_number),
        partner_id=item.partner_id,
        customer_id=item.customer_id,
        currency=Currency(item.currency),
        paid_total=int(item.paid_total),
        paid_at=item.paid_at.astimezone(UTC),
        hold_until=item.hold_until.astimezone(UTC),
        state=EntryState(item.state),
        lines=lines,
        refunded_seen=int(item.refunded_seen),
        entries=int(item.entries),
        first_order=bool(item.first_order),
        disputed_seen=int(item.disputed_seen or 0),
        sales=int(item.sales or 0),
        sales_counted=int(item.sales_counted or 0),
    )
    return commission, [str(k) for k in json.loads(item.entry_keys)]


def get_commission(order_id: str) -> tuple[OrderCommission, list[str]] | None:
    """The order's commission and its entries' sort keys (strongly consistent)."""
    try:
        item = OrderCommissionItem.get(commission_pk(order_id), COMMISSION_SK, consistent_read=True)
    except OrderCommissionItem.DoesNotExist:
        return None
    return _commission(item)


def entry_item(entry: LedgerEntry, sk: str) -> CommissionEntryItem:
    return CommissionEntryItem(
        pk=partner_pk(entry.partner_id),
        sk=sk,
        gsi2pk=entries_by_state_pk(entry.partner_id, entry.state),
        gsi2sk=sk,
        entry_id=entry.id,
        partner_id=entry.partner_id,
        order_id=entry.order_id,
        order_number=entry.order_number,
        line_id=entry.line_id,
        kind=entry.kind.value,
        amount=entry.amount.amount,
        currency=entry.amount.currency.value,
        state=entry.state.value,
        created_at=entry.created_at,
        rate=entry.rate,
        base=entry.base,
        payout_id=entry.payout_id,
    )


def _entry(item: CommissionEntryItem) -> LedgerEntry:
    return LedgerEntry(
        id=item.entry_id,
        partner_id=item.partner_id,
        order_id=item.order_id,
        order_number=int(item.order_number),
        line_id=item.line_id,
        kind=EntryKind(item.kind),
        amount=Money(int(item.amount), Currency(item.currency)),
        state=EntryState(item.state),
        created_at=item.created_at.astimezone(UTC),
        rate=int(item.rate),
        base=int(item.base),
        payout_id=item.payout_id,
    )


def entry_id_of(partner_id: str, sk: str) -> str:
    """An entry's id: its partner and sort key, which locate it in one GetItem."""
    return f"{partner_id}|{sk}"


def entry_key_of(entry_id: str) -> tuple[str, str] | None:
    partner, _, sk = entry_id.partition("|")
    return (partner, sk) if partner and sk.startswith("COMMISSION#") else None


def add_commission(
    writes: WriteSet, commission: OrderCommission, entries: list[tuple[LedgerEntry, str]]
) -> None:
    """The order's commission and its first entries; fails on ``commissioned`` if it exists."""
    keys = [sk for _, sk in entries]
    writes.put(
        _commission_item(commission, keys),
        OrderCommissionItem.pk.does_not_exist(),
        label="commissioned",
    )
    for entry, sk in entries:
        writes.put(entry_item(entry, sk), CommissionEntryItem.pk.does_not_exist(), label="entry")


def replace_commission(
    writes: WriteSet,
    commission: OrderCommission,
    entry_keys: list[str],
    before: OrderCommission,
    new_entries: list[tuple[LedgerEntry, str]] | None = None,
) -> None:
    """The commission rewritten, if no refund, dispute or approval changed it since
    ``before``."""
    disputed = OrderCommissionItem.disputed_seen == before.disputed_seen
    if before.disputed_seen == 0:
        disputed = disputed | OrderCommissionItem.disputed_seen.does_not_exist()
    condition = (
        (OrderCommissionItem.refunded_seen == before.refunded_seen)
        & (OrderCommissionItem.state == before.state.value)
        & disputed
    )
    writes.put(_commission_item(commission, entry_keys), condition, label="changed")
    for entry, sk in new_entries or []:
        writes.put(entry_item(entry, sk), CommissionEntryItem.pk.does_not_exist(), label="entry")


def move_entry(
    writes: WriteSet,
    partner_id: str,
    sk: str,
    states: tuple[EntryState, EntryState],
    payout_id: str | None = None,
) -> None:
    """An entry's state moved forward (before, after), if it is still ``before``."""
    before, after = states
    item = CommissionEntryItem(pk=partner_pk(partner_id), sk=sk)
    actions: list[Action] = [
        CommissionEntryItem.state.set(after.value),
        CommissionEntryItem.gsi2pk.set(entries_by_state_pk(partner_id, after)),
    ]
    if payout_id is not None:
        actions.append(CommissionEntryItem.payout_id.set(payout_id))
    writes.update(item, actions, CommissionEntryItem.state == before.value, label="entry state")


def get_entries(partner_id: str, sks: list[str]) -> list[LedgerEntry]:
    """Entries by sort key (strongly consistent reads, in the given order)."""
    found = []
    for sk in sks:
        try:
            found.append(
                _entry(CommissionEntryItem.get(partner_pk(partner_id), sk, consistent_read=True))
            )
        except CommissionEntryItem.DoesNotExist:
            continue
    return found


def entries_of(partner_id: str) -> list[LedgerEntry]:
    """Every entry of the partner, oldest first (one Query of its partition)."""
    return [
        _entry(i)
        for i in CommissionEntryItem.query(
            partner_pk(partner_id), CommissionEntryItem.sk.startswith("COMMISSION#")
        )
    ]


def entries_in_state(
    partner_id: str, state: EntryState, limit: int
) -> list[tuple[LedgerEntry, str]]:
    """Up to ``limit`` entries in ``state``, oldest first (GSI2; the writer re-checks)."""
    items = CommissionEntryItem.gsi2.query(entries_by_state_pk(partner_id, state), limit=limit)
    return [(_entry(cast(CommissionEntryItem, i)), i.sk) for i in items]


def approved_in(
    partner_id: str, currency: Currency, limit: int | None = None
) -> list[tuple[LedgerEntry, str]]:
    """Approved entries in ``currency``, oldest first, up to ``limit`` (GSI2, read page by
    page until enough are found; the writer re-checks each one's state)."""
    found: list[tuple[LedgerEntry, str]] = []
    items = CommissionEntryItem.gsi2.query(
        entries_by_state_pk(partner_id, EntryState.APPROVED),
        filter_condition=CommissionEntryItem.currency == currency.value,
    )
    for item in items:
        found.append((_entry(cast(CommissionEntryItem, item)), item.sk))
        if limit is not None and len(found) >= limit:
            break
    return found


def due_for_approval(now: datetime, limit: int) -> list[str]:
    """Order ids whose pending commission's holding period ended by ``now`` (GSI1)."""
    items = OrderCommissionItem.gsi1.query(
        PENDING_COMMISSIONS, OrderCommissionItem.gsi1sk <= f"{now.isoformat()}#~", limit=limit
    )
    return [cast(OrderCommissionItem, i).order_id for i in items]


# -- clicks and visitors -----------------------------------------------------------------

VISITOR_BINDING_SK = "AFFILIATE"
CLICK_MARKER_DAYS = 2


def visitor_pk(visitor_id: str) -> str:
    return f"VISITOR#{visitor_id}"


def clicks_sk(day: str) -> str:
    return f"CLICKS#{day}"


def get_visitor_binding(visitor_id: str) -> VisitorBinding | None:
    try:
        item = VisitorBindingItem.get(
            visitor_pk(visitor_id), VISITOR_BINDING_SK, consistent_read=True
        )
    except VisitorBindingItem.DoesNotExist:
        return None
    return VisitorBinding(
        visitor_id=item.visitor_id,
        partner_id=item.partner_id,
        clicked_at=item.clicked_at.astimezone(UTC),
        expires_at=item.expires_at.astimezone(UTC),
    )


def bind_visitor(writes: WriteSet, binding: VisitorBinding, *, first_click: bool) -> None:
    """Remember the click: the last one wins (a later click replaces an earlier one, never
    the reverse), or with ``first_click`` only when no unexpired one is there; the same
    click again is written again. Fails on ``visitor`` otherwise."""
    item = VisitorBindingItem(
        pk=visitor_pk(binding.visitor_id),
        sk=VISITOR_BINDING_SK,
        visitor_id=binding.visitor_id,
        partner_id=binding.partner_id,
        clicked_at=binding.clicked_at,
        expires_at=binding.expires_at,
        ttl=binding.expires_at,
    )
    absent = VisitorBindingItem.pk.does_not_exist()
    if first_click:
        condition = (
            absent
            | (VisitorBindingItem.expires_at <= binding.clicked_at)
            | (VisitorBindingItem.clicked_at == binding.clicked_at)
        )
    else:
        condition = absent | (VisitorBindingItem.clicked_at <= binding.clicked_at)
    writes.put(item, condition, label="visitor")


def unbind_visitor(writes: WriteSet, binding: VisitorBinding) -> None:
    """The visitor's binding used by its first order: gone, if it is still that click."""
    writes.delete(
        VisitorBindingItem(pk=visitor_pk(binding.visitor_id), sk=VISITOR_BINDING_SK),
        (VisitorBindingItem.partner_id == binding.partner_id)
        & (VisitorBindingItem.clicked_at == binding.clicked_at),
        label="visitor",
    )


def count_click(writes: WriteSet, partner_id: str, event_id: str, at: datetime) -> None:
    """One more click on the partner's day, once per event (fails on ``click``)."""
    writes.put(
        ClickItem(
            pk=partner_pk(partner_id),
            sk=f"CLICKEVENT#{event_id}",
            ttl=at + timedelta(days=CLICK_MARKER_DAYS),
        ),
        ClickItem.pk.does_not_exist(),
        label="click",
    )
    day = at.astimezone(UTC).strftime("%Y-%m-%d")
    writes.update(
        ClicksItem(pk=partner_pk(partner_id), sk=clicks_sk(day)),
        [ClicksItem.clicks.add(1), ClicksItem.day.set(day), ClicksItem.entity.set(ClicksItem)],
        label="clicks",
    )


def clicks_between(partner_id: str, first_day: str, last_day: str) -> dict[str, int]:
    """Clicks per day from ``first_day`` to ``last_day`` (one Query of the day counters)."""
    items = ClicksItem.query(
        partner_pk(partner_id),
        ClicksItem.sk.between(clicks_sk(first_day), clicks_sk(last_day)),
    )
    return {str(i.day): int(i.clicks) for i in items}


# -- monthly volume -----------------------------------------------------------------------


def volume_sk(month: str, currency: Currency) -> str:
    return f"VOLUME#{month}#{currency.value}"


def get_volume(partner_id: str, month: str, currency: Currency) -> int:
    """The partner's referred net sales of ``month`` in ``currency`` (strongly consistent)."""
    try:
        item = VolumeItem.get(
            partner_pk(partner_id), volume_sk(month, currency), consistent_read=True
        )
    except VolumeItem.DoesNotExist:
        return 0
    return int(item.sales)


def add_volume(
    writes: WriteSet,
    partner_id: str,
    month: str,
    currency: Currency,
    delta: int,
    *,
    band: tuple[int, int | None] | None = None,
) -> None:
    """Add ``delta`` to the month's volume; with ``band`` (low, high), only if the volume
    is still inside it, so the tier decided from it holds (fails on ``volume``)."""
    item = VolumeItem(pk=partner_pk(partner_id), sk=volume_sk(month, currency))
    actions: list[Action] = [
        VolumeItem.sales.add(delta),
        VolumeItem.partner_id.set(partner_id),
        VolumeItem.month.set(month),
        VolumeItem.currency.set(currency.value),
        VolumeItem.entity.set(VolumeItem),
    ]
    condition: Condition | None = None
    if band is not None:
        low, high = band
        below = None if high is None else VolumeItem.sales < high
        if low > 0:
            condition = VolumeItem.sales >= low
            condition = condition if below is None else condition & below
        elif below is not None:
            condition = VolumeItem.sales.does_not_exist() | below
    writes.update(item, actions, condition, label="volume")


# -- payouts ------------------------------------------------------------------------------


def payout_item(payout: Payout) -> PayoutItem:
    return PayoutItem(
        pk=payout_pk(payout.id),
        sk=PAYOUT_SK,
        gsi1pk=payouts_pk(payout.partner_id),
        gsi1sk=f"{payout.created_at.isoformat()}#{payout.id}",
        payout_id=payout.id,
        partner_id=payout.partner_id,
        currency=payout.currency.value,
        total=payout.total,
        status=payout.status.value,
        created_at=payout.created_at,
        lines=json.dumps(
            [[x.entry_id, x.order_number, x.line_id, x.kind.value, x.amount] for x in payout.lines]
        ),
        external_reference=payout.external_reference,
        transfer_id=payout.transfer_id,
        paid_at=payout.paid_at,
        chunks=payout.chunks,
    )


def _payout(item: PayoutItem) -> Payout:
    lines = tuple(
        PayoutLine(str(r[0]), int(r[1]), str(r[2]), EntryKind(r[3]), int(r[4]))
        for r in json.loads(item.lines)
    )
    return Payout(
        id=item.payout_id,
        partner_id=item.partner_id,
        currency=Currency(item.currency),
        total=int(item.total),
        status=PayoutStatus(item.status),
        created_at=item.created_at.astimezone(UTC),
        lines=lines,
        external_reference=item.external_reference,
        transfer_id=item.transfer_id,
        paid_at=None if item.paid_at is None else item.paid_at.astimezone(UTC),
        chunks=int(item.chunks or 0),
    )


def add_payout(writes: WriteSet, payout: Payout) -> None:
    writes.put(payout_item(payout), PayoutItem.pk.does_not_exist(), label="payout")


def draft_pk(partner_id: str, currency: Currency) -> str:
    return f"PAYOUTDRAFT#{partner_id}#{currency.value}"


DRAFT_SK = "DRAFT"


def draft_of(partner_id: str, currency: Currency) -> str | None:
    """The id of the partner's payout still collecting entries in ``currency``, if any."""
    try:
        item = PayoutDraftItem.get(draft_pk(partner_id, currency), DRAFT_SK, consistent_read=True)
    except PayoutDraftItem.DoesNotExist:
        return None
    return str(item.payout_id)


def start_draft(writes: WriteSet, payout: Payout) -> None:
    """A new draft payout and its pointer; fails on ``draft`` when one is collecting."""
    writes.put(
        PayoutDraftItem(
            pk=draft_pk(payout.partner_id, payout.currency), sk=DRAFT_SK, payout_id=payout.id
        ),
        PayoutDraftItem.pk.does_not_exist(),
        label="draft",
    )
    writes.put(payout_item(payout), PayoutItem.pk.does_not_exist(), label="payout")


def extend_draft(writes: WriteSet, payout: Payout, chunks_before: int) -> None:
    """The draft with one more chunk, if no other run added one since it was read."""
    condition = (PayoutItem.status == PayoutStatus.DRAFT.value) & (
        (PayoutItem.chunks == chunks_before)
        if chunks_before
        else (PayoutItem.chunks.does_not_exist() | (PayoutItem.chunks == 0))
    )
    writes.put(payout_item(payout), condition, label="draft chunk")


def finish_draft(writes: WriteSet, payout: Payout, chunks_before: int) -> None:
    """The draft finalised (OPEN, payable) and its pointer gone."""
    extend_draft(writes, payout, chunks_before)
    writes.delete(
        PayoutDraftItem(pk=draft_pk(payout.partner_id, payout.currency), sk=DRAFT_SK),
        PayoutDraftItem.payout_id == payout.id,
        label="draft",
    )


def mark_paid(writes: WriteSet, payout: Payout) -> None:
    writes.put(payout_item(payout), PayoutItem.status == PayoutStatus.OPEN.value, label="open")


def get_payout(payout_id: str) -> Payout | None:
    try:
        return _payout(PayoutItem.get(payout_pk(payout_id), PAYOUT_SK, consistent_read=True))
    except PayoutItem.DoesNotExist:
        return None


def payouts_of(partner_id: str) -> list[Payout]:
    return [_payout(cast(PayoutItem, i)) for i in PayoutItem.gsi1.query(payouts_pk(partner_id))]
