"""Which promotions this shopper, now, in this currency and channel, may have; and codes.

A promotion that requires a code is eligible only through an entered code that is known,
the caller's own (a personal offer), within its dates and not used up (usage counts come
in with the code: the store keeps them). Every entered code that cannot unlock anything
is refused here with its reason; codes refused later (minimum not reached, a better
offer won) are the engine's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from commerce.pricing.explain import refusal_text
from commerce.pricing.model import (
    CodeRefusal,
    DiscountCode,
    PricingContext,
    Promotion,
    RefusedCode,
    normalize_code,
)


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The promotions that may apply, the codes that unlocked them, the codes refused."""

    promotions: tuple[Promotion, ...]
    accepted_codes: tuple[tuple[str, str], ...]
    refused: tuple[RefusedCode, ...]


def _window(
    starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> CodeRefusal | None:
    if starts_at is not None and now < starts_at:
        return CodeRefusal.NOT_YET_VALID
    if ends_at is not None and now >= ends_at:
        return CodeRefusal.EXPIRED
    return None


def condition_failure(promotion: Promotion, context: PricingContext) -> CodeRefusal | None:
    """Why the promotion's conditions exclude this shopper now, or None (codes aside)."""
    c = promotion.conditions
    timing = _window(c.starts_at, c.ends_at, context.now)
    if timing is not None:
        return timing
    excluded = (
        (promotion.currency is not None and promotion.currency is not context.currency)
        or (c.channels and context.channel not in c.channels)
        or (c.customer_segments and c.customer_segments.isdisjoint(context.customer_segments))
        or (c.customer_tags and c.customer_tags.isdisjoint(context.customer_tags))
        or (c.first_order_only and not context.first_order)
        or (c.affiliate_ids and context.affiliate_id not in c.affiliate_ids)
    )
    return CodeRefusal.NOT_ELIGIBLE if excluded else None


def _code_failure(code: DiscountCode, context: PricingContext) -> CodeRefusal | None:
    # Ownership first: someone else's code says nothing of its dates or uses.
    if code.customer_id is not None and code.customer_id != context.customer_id:
        return CodeRefusal.NOT_YOUR_CODE
    if code.cart_digest is not None and code.cart_digest != context.cart_digest:
        return CodeRefusal.NOT_YOUR_CODE
    timing = _window(code.starts_at, code.ends_at, context.now)
    if timing is not None:
        return timing
    if code.usage_limit is not None and code.times_used >= code.usage_limit:
        return CodeRefusal.USED_UP
    if code.per_customer_limit is not None and (
        code.times_used_by_customer >= code.per_customer_limit
    ):
        return CodeRefusal.USED_UP
    return None


def entered_codes(context: PricingContext) -> list[str]:
    """The shopper's codes, normalised, each once, in the order entered."""
    seen: dict[str, None] = {}
    for code in context.codes:
        if normalize_code(code):
            seen.setdefault(normalize_code(code), None)
    return list(seen)


def eligibility(
    promotions: Iterable[Promotion], codes: Sequence[DiscountCode], context: PricingContext
) -> Eligibility:
    """Promotions open to this shopper (in priority order) and the codes' first verdicts."""
    by_id = {p.id: p for p in promotions}
    known = {normalize_code(c.code): c for c in codes}
    unlocked: set[str] = set()
    accepted: list[tuple[str, str]] = []
    refused: list[RefusedCode] = []
    for entered in entered_codes(context):
        code = known.get(entered)
        promotion = by_id.get(code.promotion_id) if code is not None else None
        if code is None or promotion is None:
            reason: CodeRefusal | None = CodeRefusal.UNKNOWN
        else:
            reason = _code_failure(code, context) or condition_failure(promotion, context)
        if reason is not None:
            refused.append(RefusedCode(entered, reason, refusal_text(entered, reason)))
        elif promotion is not None:
            unlocked.add(promotion.id)
            accepted.append((entered, promotion.id))
    open_ = [
        p
        for p in by_id.values()
        if condition_failure(p, context) is None
        and (not p.conditions.requires_code or p.id in unlocked)
    ]
    open_.sort(key=lambda p: (-p.priority, p.id))
    return Eligibility(tuple(open_), tuple(accepted), tuple(refused))
