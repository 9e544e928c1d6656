"""What each business event writes to a ledger, decided on the ledger as read. Pure.

Each function takes the folded ledger at the moment ``at`` of the change and returns the
entries to record (none: the event is recorded already, or changes nothing). An entry's
key is its business event's, so deciding again on a ledger that holds it gives nothing:
replays are harmless by construction, and the service only has to make the write
conditional on the ledger being as read.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from commerce.loyalty.commands import OrderRefund, PaidGoods
from commerce.loyalty.ledger import Entry, EntryKind, Ledger
from commerce.loyalty.model import BonusRule, LoyaltySettings, points_earned, pro_rata, tier_of
from commerce.money import Money


def earn_key(order_id: str) -> str:
    return f"order:{order_id}:earn"


def spend_key(order_id: str) -> str:
    return f"order:{order_id}:spend"


def void_key(order_id: str) -> str:
    return f"order:{order_id}:void"


def earned(ledger: Ledger, paid: PaidGoods, settings: LoyaltySettings, at: datetime) -> list[Entry]:
    """Points for a paid order's goods at the tier reached before it, once per order."""
    key = earn_key(paid.order_id)
    if ledger.has(key):
        return []
    tier = tier_of(ledger, settings, at)
    multiplier = tier.multiplier if tier is not None else Decimal(1)
    points = points_earned(paid.goods, settings.rate(paid.goods.currency), multiplier)
    return [
        Entry(
            key,
            EntryKind.EARNED,
            points,
            at,
            expires_at=at + settings.lot_life if points > 0 else None,
            order_id=paid.order_id,
            spend=paid.goods,
        )
    ]


def spent(ledger: Ledger, order_id: str, points: int, at: datetime) -> list[Entry] | None:
    """An order's points spent; None when the balance is lower (nothing may be written)."""
    if ledger.has(spend_key(order_id)):
        return []
    if points <= 0 or points > ledger.balance:
        return None
    return [Entry(spend_key(order_id), EntryKind.SPENT, -points, at, order_id=order_id)]


def refunded(
    ledger: Ledger, refund: OrderRefund, settings: LoyaltySettings, at: datetime
) -> list[Entry]:
    """A refund's share of the order's earned points taken back and of its spent points
    given back, pro rata of the amount refunded beyond what earlier entries covered.

    Earned points already spent are not taken below a zero balance: what is missing is
    forgiven (the entry still covers the refund, so it is not taken later)."""
    order_id, amount, paid = refund.order_id, refund.refunded, refund.paid
    key = f"order:{order_id}:refund:{amount}"
    covered = max((e.covers for e in ledger.entries.values() if e.order_id == order_id), default=0)
    if ledger.has(f"{key}:earned") or ledger.has(f"{key}:spent") or amount <= covered:
        return []
    entries: list[Entry] = []
    earn = ledger.entries.get(earn_key(order_id))
    if earn is not None:
        take = pro_rata(earn.points, amount, paid) - pro_rata(earn.points, covered, paid)
        goods = refund.goods.amount
        less = pro_rata(goods, amount, paid) - pro_rata(goods, covered, paid)
        entries.append(
            Entry(
                f"{key}:earned",
                EntryKind.REVERSED,
                -min(take, ledger.balance),
                at,
                order_id=order_id,
                reason="refund",
                spend=Money(-less, refund.goods.currency),
                covers=amount,
            )
        )
    spend = ledger.entries.get(spend_key(order_id))
    if spend is not None and not ledger.has(void_key(order_id)):
        back = pro_rata(-spend.points, amount, paid) - pro_rata(-spend.points, covered, paid)
        if back > 0:
            entries.append(
                Entry(
                    f"{key}:spent",
                    EntryKind.RESTORED,
                    back,
                    at,
                    expires_at=at + settings.lot_life,
                    order_id=order_id,
                    reason="refund",
                    covers=amount,
                )
            )
    return entries


def voided(ledger: Ledger, order_id: str, settings: LoyaltySettings, at: datetime) -> list[Entry]:
    """An order that ended unpaid gives back every point it spent, once."""
    spend = ledger.entries.get(spend_key(order_id))
    if spend is None or ledger.has(void_key(order_id)) or ledger.has(earn_key(order_id)):
        return []
    return [
        Entry(
            void_key(order_id),
            EntryKind.RESTORED,
            -spend.points,
            at,
            expires_at=at + settings.lot_life,
            order_id=order_id,
            reason="order not paid",
        )
    ]


def bonus(
    ledger: Ledger, rule: BonusRule, business_key: str, settings: LoyaltySettings, at: datetime
) -> list[Entry]:
    """A bonus rule's points, once per business key (none when the rule gives none)."""
    key = f"bonus:{rule.value}:{business_key}"
    points = settings.bonus(rule)
    if points <= 0 or ledger.has(key):
        return []
    return [
        Entry(
            key, EntryKind.BONUS, points, at, expires_at=at + settings.lot_life, reason=rule.value
        )
    ]


def referral_key(rule: BonusRule, referred_id: str) -> str:
    """The key of a referral bonus: once per referred customer, in either ledger."""
    return f"bonus:{rule.value}:referred:{referred_id}"


def referral_bonus(
    ledger: Ledger, rule: BonusRule, referred_id: str, settings: LoyaltySettings, at: datetime
) -> list[Entry]:
    """A referral bonus (to the referrer or to the referred customer), once per referred
    customer, and never again once taken back."""
    key = referral_key(rule, referred_id)
    points = settings.bonus(rule)
    if points <= 0 or ledger.has(key) or ledger.has(f"{key}:reversed"):
        return []
    return [
        Entry(
            key, EntryKind.BONUS, points, at, expires_at=at + settings.lot_life, reason=rule.value
        )
    ]


def referral_taken_back(
    ledger: Ledger, rule: BonusRule, referred_id: str, at: datetime
) -> list[Entry]:
    """A referral bonus taken back (its first order fully refunded in time), once; points
    already spent are not taken below a zero balance (what is missing is forgiven)."""
    key = referral_key(rule, referred_id)
    given = ledger.entries.get(key)
    if given is None or ledger.has(f"{key}:reversed"):
        return []
    return [
        Entry(
            f"{key}:reversed",
            EntryKind.REVERSED,
            -min(given.points, ledger.balance),
            at,
            reason=f"{rule.value} refunded",
        )
    ]


def adjustment_reused(ledger: Ledger, adjustment_id: str, points: int, reason: str) -> bool:
    """Whether the adjustment id is recorded already for another change (a client's
    idempotency key sent again with another amount or reason)."""
    found = ledger.entries.get(f"adjust:{adjustment_id}")
    return found is not None and (found.points != points or found.reason != reason)


def adjusted(
    ledger: Ledger,
    *,
    adjustment_id: str,
    points: int,
    reason: str,
    settings: LoyaltySettings,
    at: datetime,
) -> list[Entry] | None:
    """Staff's change by hand, once per adjustment id; None when it would take more than
    the balance."""
    if ledger.has(f"adjust:{adjustment_id}"):
        return []
    if points < 0 and -points > ledger.balance:
        return None
    return [
        Entry(
            f"adjust:{adjustment_id}",
            EntryKind.ADJUSTED,
            points,
            at,
            expires_at=at + settings.lot_life if points > 0 else None,
            reason=reason,
        )
    ]
