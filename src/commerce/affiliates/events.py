"""Partner events read from the table's stream images of the program's own items.

``partner_event_of`` is pure: given a changed item's type and its new and old images (as
``commerce.events.stream`` decodes them), it says which event a partner's webhook
endpoint should receive, if any. Event ids are derived from the item, so a redelivered
stream record gives the same id (receivers deduplicate on it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from commerce.money import Currency, Money

COMMISSION_CREATED = "commission.created"
COMMISSION_REVERSED = "commission.reversed"
PAYOUT_PAID = "payout.paid"

ENTRY_TYPE = "CommissionEntry"
PAYOUT_TYPE = "Payout"


@dataclass(frozen=True, slots=True)
class PartnerEvent:
    """One event for a partner; ``data`` is JSON-able (amounts as decimal strings)."""

    event_type: str
    event_id: str
    partner_id: str
    data: dict[str, object]


def _money(amount: object, currency: object) -> dict[str, object]:
    value = Money(int(Decimal(str(amount))), Currency(str(currency)))
    return {"amount": str(value.to_decimal()), "currencyCode": value.currency.value}


def partner_event_of(
    item_type: str, new_image: Mapping[str, Any], old_image: Mapping[str, Any]
) -> PartnerEvent | None:
    """The event a change of a ledger entry or payout means; None for any other change."""
    if item_type == ENTRY_TYPE and new_image and not old_image:
        return _entry_event(new_image)
    if item_type == PAYOUT_TYPE and new_image.get("status") == "PAID":
        if old_image.get("status") == "PAID":
            return None
        return _payout_event(new_image)
    return None


def _entry_event(image: Mapping[str, Any]) -> PartnerEvent | None:
    kind, amount = image.get("kind"), Decimal(str(image.get("amount", 0)))
    if kind == "COMMISSION" and amount > 0:
        event_type = COMMISSION_CREATED
    elif kind in {"REVERSAL", "DISPUTE"} and amount < 0:
        event_type = COMMISSION_REVERSED
    else:
        return None
    entry_id = str(image["entry_id"])
    return PartnerEvent(
        event_type=event_type,
        event_id=f"{event_type}:{entry_id}",
        partner_id=str(image["partner_id"]),
        data={
            "entryId": entry_id,
            "orderNumber": int(Decimal(str(image["order_number"]))),
            "line": str(image["line_id"]),
            "amount": _money(amount, image["currency"]),
            "state": str(image["state"]),
            "createdAt": str(image["created_at"]),
        },
    )


def _payout_event(image: Mapping[str, Any]) -> PartnerEvent:
    payout_id = str(image["payout_id"])
    return PartnerEvent(
        event_type=PAYOUT_PAID,
        event_id=f"{PAYOUT_PAID}:{payout_id}",
        partner_id=str(image["partner_id"]),
        data={
            "payoutId": payout_id,
            "total": _money(image["total"], image["currency"]),
            "externalReference": image.get("external_reference"),
            "paidAt": image.get("paid_at"),
        },
    )
