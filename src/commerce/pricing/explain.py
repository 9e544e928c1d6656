"""The sentences a shopper reads: what a discount is, why a code did not apply, what is near."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from commerce.money import Currency, Money
from commerce.pricing.model import (
    Bundle,
    BuyXGetY,
    CodeRefusal,
    FreeShipping,
    ItemsOff,
    MixAndMatch,
    Offer,
    OrderOff,
    SeriesSet,
    Tier,
    TieredOff,
)


def money(amount: int, currency: Currency) -> str:
    """``1200`` USD -> ``12.00``: major units with the currency's decimals, no symbol."""
    return str(Money(amount, currency).to_decimal())


def percent(value: Decimal) -> str:
    """``Decimal("15.00")`` -> ``15%``, ``Decimal("12.5")`` -> ``12.5%``."""
    text = format(value.normalize(), "f")
    return f"{text}%"


def plural(count: int, noun: str) -> str:
    """``1 book``, ``2 books``."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def _joined(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _off(pct: Decimal | None, amount: int | None, currency: Currency) -> str:
    if pct is not None:
        return f"{percent(pct)} off"
    return f"{money(amount or 0, currency)} off"


def _free_part(offer: BuyXGetY) -> str:
    if offer.percent == 100:
        return "one free" if offer.get == 1 else f"{offer.get} free"
    return f"{'one' if offer.get == 1 else offer.get} at {percent(offer.percent)} off"


def tier_saving(tier: Tier, currency: Currency) -> str:
    """``15.00`` or ``10%``: what a tier saves."""
    if tier.percent is not None:
        return percent(tier.percent)
    return money(tier.amount or 0, currency)


def tier_text(tier: Tier, currency: Currency) -> str:
    """``Spend 100.00, save 15.00``."""
    return f"Spend {money(tier.threshold, currency)}, save {tier_saving(tier, currency)}"


def order_off_goal(offer: OrderOff, currency: Currency) -> str:
    """``to get 10% off the order``: what reaching an order discount's minimum brings."""
    return f"to get {_off(offer.percent, offer.amount, currency)} the order"


def describe(offer: Offer, currency: Currency) -> str:
    """What a discount from this offer is, for the line or order it appears on."""
    match offer:
        case ItemsOff(percent=pct, amount=amount):
            text = _off(pct, amount, currency)
            return text if pct is not None else f"{text} each"
        case OrderOff():
            text = f"{_off(offer.percent, offer.amount, currency)} the order"
            if offer.min_subtotal:
                text += f" of {money(offer.min_subtotal, currency)} or more"
            if offer.min_quantity:
                text += f" of {plural(offer.min_quantity, 'item')} or more"
            return text
        case TieredOff(tiers=tiers):
            ordered = sorted(tiers, key=lambda t: t.threshold)
            return ", ".join(tier_text(t, currency) for t in ordered)
        case BuyXGetY():
            if offer.percent == 100 and offer.get == 1:
                return f"Buy {offer.buy}, get the cheapest free"
            if offer.percent == 100:
                return f"Buy {offer.buy}, get the {offer.get} cheapest free"
            return f"Buy {offer.buy}, get {offer.get} at {percent(offer.percent)} off"
        case SeriesSet():
            return f"Complete {offer.series} set: {percent(offer.percent)} off"
        case Bundle(price=price):
            if price is not None:
                return f"Bundle for {money(price, currency)}"
            return f"Bundle: {percent(offer.percent or Decimal(0))} off"
        case MixAndMatch():
            return f"Any {offer.count} for {money(offer.price, currency)}"
        case FreeShipping(min_subtotal=minimum):
            if minimum:
                return f"Free shipping on orders of {money(minimum, currency)} or more"
            return "Free shipping"


def refusal_text(code: str, reason: CodeRefusal, detail: str = "") -> str:
    """``code SPRING10 not applied: Buy 3 get 1 free gives more``."""
    why = {
        CodeRefusal.UNKNOWN: "there is no such code",
        CodeRefusal.EXPIRED: "it has expired",
        CodeRefusal.NOT_YET_VALID: "it is not valid yet",
        CodeRefusal.USED_UP: "it has been used up",
        CodeRefusal.NOT_YOUR_CODE: "it is a personal offer for another customer",
        CodeRefusal.NOT_ELIGIBLE: "this order does not qualify for it",
        CodeRefusal.MINIMUM_NOT_REACHED: "the minimum is not reached",
        CodeRefusal.NOT_FOR_THESE_ITEMS: "it is not for the items in this cart",
        CodeRefusal.BETTER_OFFER_APPLIED: "another offer gives more",
    }[reason]
    if detail:
        why = detail
    return f"code {code} not applied: {why}"


def spend_more_text(missing: int, currency: Currency, goal: str) -> str:
    """``add 12.00 more for free shipping``."""
    return f"add {money(missing, currency)} more {goal}"


def add_items_text(missing: int, noun: str, goal: str) -> str:
    """``add 1 more book to get one free``."""
    return f"add {missing} more {noun if missing == 1 else noun + 's'} {goal}"


def buy_x_goal(offer: BuyXGetY) -> str:
    """``to get one free``, ``to get one at 50% off``."""
    return f"to get {_free_part(offer)}"


def complete_set_text(offer: SeriesSet, missing: Sequence[str]) -> str:
    """``complete the series: add volumes 2 and 3 and save 15%``."""
    word = "volume" if len(missing) == 1 else "volumes"
    return (
        f"complete the series: add {word} {_joined(list(missing))} "
        f"and save {percent(offer.percent)}"
    )


def complete_bundle_text(labels: Sequence[str], missing_units: int, name: str) -> str:
    """``add the audiobook to get Earthsea + audiobook``."""
    what = _joined(list(labels)) if labels else plural(missing_units, "more item")
    return f"add {what} to get {name}"
