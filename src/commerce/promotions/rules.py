"""What makes a promotion or a discount code acceptable to store: pure checks.

Each check gives a ``Problem`` naming the field, so staff see every mistake at once.
Bounds keep one promotion far below DynamoDB's 400 KB item and the engine's search small.
"""

from __future__ import annotations

import re
from decimal import Decimal

from commerce.money import MAX_MINOR_AMOUNT
from commerce.pricing.model import (
    Bundle,
    BuyXGetY,
    FreeShipping,
    ItemsOff,
    MixAndMatch,
    OrderOff,
    Promotion,
    Selector,
    SeriesSet,
    TieredOff,
)
from commerce.problems import Problem
from commerce.promotions.errors import PromotionErrorCode as Code

MAX_NAME = 200
MAX_PRIORITY = 1000
MAX_TIERS = 10
MAX_COMPONENTS = 10
MAX_GROUP = 100
MAX_SELECTOR_VALUES = 500
# Nesting beyond "ALL of (ANY of (ALL of ...)))" says nothing a flatter selector cannot.
MAX_SELECTOR_DEPTH = 4
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{2,31}")

Field = tuple[str, ...]


def _percent(value: Decimal | None, at: Field) -> list[Problem]:
    if value is None:
        return []
    exponent = value.as_tuple().exponent
    if (
        not value.is_finite()
        or not 0 < value <= 100
        or (isinstance(exponent, int) and exponent < -4)
    ):
        return [
            Problem(Code.INVALID_PERCENT, "Percent must be above 0, at most 100, 4 decimals", at)
        ]
    return []


def _amount(value: int | None, at: Field, *, positive: bool = False) -> list[Problem]:
    if value is None:
        return []
    if value < 0 or value > MAX_MINOR_AMOUNT or (positive and value == 0):
        return [Problem(Code.INVALID_AMOUNT, "Amount is out of range", at)]
    return []


def _one_of(percent: Decimal | None, amount: int | None, at: Field) -> list[Problem]:
    if (percent is None) == (amount is None):
        return [Problem(Code.PERCENT_OR_AMOUNT, "Give either a percent or an amount", at)]
    return [*_percent(percent, (*at, "percent")), *_amount(amount, (*at, "amount"), positive=True)]


def _count(value: int, at: Field, low: int = 1) -> list[Problem]:
    if not low <= value <= MAX_GROUP:
        return [Problem(Code.INVALID_QUANTITY, f"Must be between {low} and {MAX_GROUP}", at)]
    return []


def _selector_size(selector: Selector) -> int:
    own = sum(
        len(v)
        for v in (
            selector.product_ids,
            selector.variant_ids,
            selector.collection_ids,
            selector.attributes,
            selector.tags,
        )
    )
    return own + sum(_selector_size(c) for c in selector.children)


def _selector_depth(selector: Selector) -> int:
    return 1 + max((_selector_depth(c) for c in selector.children), default=0)


def _selectors(promotion: Promotion) -> list[tuple[Field, Selector]]:
    offer = promotion.offer
    match offer:
        case ItemsOff() | OrderOff() | TieredOff() | BuyXGetY() | MixAndMatch():
            return [(("offer", "selector"), offer.selector)]
        case Bundle():
            return [
                (("offer", "components", str(i), "selector"), c.selector)
                for i, c in enumerate(offer.components)
            ]
        case _:
            return []


def _selector_problems(promotion: Promotion) -> list[Problem]:
    problems: list[Problem] = []
    for at, selector in _selectors(promotion):
        if _selector_depth(selector) > MAX_SELECTOR_DEPTH:
            message = f"Nest selectors at most {MAX_SELECTOR_DEPTH} deep"
            problems.append(Problem(Code.TOO_LARGE, message, at))
        elif _selector_size(selector) > MAX_SELECTOR_VALUES:
            message = f"A selector names at most {MAX_SELECTOR_VALUES} values"
            problems.append(Problem(Code.TOO_LARGE, message, at))
    return problems


def _has_fixed_amounts(promotion: Promotion) -> bool:
    offer = promotion.offer
    match offer:
        case ItemsOff() | OrderOff():
            minimum = isinstance(offer, OrderOff) and offer.min_subtotal > 0
            return offer.amount is not None or minimum
        case TieredOff() | MixAndMatch():
            return True
        case Bundle():
            return offer.price is not None
        case FreeShipping():
            return offer.min_subtotal > 0
        case _:
            return False


def _offer_problems(promotion: Promotion) -> list[Problem]:
    offer = promotion.offer
    at: Field = ("offer",)
    problems: list[Problem] = []
    match offer:
        case ItemsOff() | OrderOff():
            problems += _one_of(offer.percent, offer.amount, at)
            if isinstance(offer, OrderOff):
                problems += _amount(offer.min_subtotal, (*at, "minSubtotal"))
                if offer.min_quantity < 0 or offer.min_quantity > MAX_GROUP:
                    problems.append(
                        Problem(Code.INVALID_QUANTITY, "Minimum quantity is out of range", at)
                    )
        case TieredOff(tiers=tiers):
            if not 1 <= len(tiers) <= MAX_TIERS:
                problems.append(Problem(Code.EMPTY_OFFER, "Give 1 to 10 tiers", (*at, "tiers")))
            if len({t.threshold for t in tiers}) != len(tiers):
                problems.append(Problem(Code.INVALID_AMOUNT, "Two tiers share a threshold", at))
            for i, t in enumerate(tiers):
                where = (*at, "tiers", str(i))
                problems += _one_of(t.percent, t.amount, where)
                problems += _amount(t.threshold, (*where, "threshold"))
        case BuyXGetY():
            problems += _count(offer.buy, (*at, "buy")) + _count(offer.get, (*at, "get"))
            problems += _percent(offer.percent, (*at, "percent"))
        case SeriesSet():
            if (
                not offer.series
                or not offer.volumes
                or len(set(offer.volumes)) != len(offer.volumes)
            ):
                problems.append(
                    Problem(Code.EMPTY_OFFER, "Name the series and its distinct volumes", at)
                )
            problems += _count(len(offer.volumes), (*at, "volumes")) if offer.volumes else []
            problems += _percent(offer.percent, (*at, "percent"))
        case Bundle():
            if not 1 <= len(offer.components) <= MAX_COMPONENTS:
                problems.append(
                    Problem(Code.EMPTY_OFFER, "Give 1 to 10 components", (*at, "components"))
                )
            for i, c in enumerate(offer.components):
                problems += _count(c.quantity, (*at, "components", str(i), "quantity"))
            if (offer.price is None) == (offer.percent is None):
                problems.append(Problem(Code.PERCENT_OR_AMOUNT, "Give a price or a percent", at))
            problems += _amount(offer.price, (*at, "price")) + _percent(
                offer.percent, (*at, "percent")
            )
        case MixAndMatch():
            problems += _count(offer.count, (*at, "count"), low=2)
            problems += _amount(offer.price, (*at, "price"))
        case FreeShipping():
            problems += _amount(offer.min_subtotal, (*at, "minSubtotal"))
    return problems


def promotion_problems(promotion: Promotion) -> list[Problem]:
    """Everything wrong with a promotion, field by field (empty: it can be stored)."""
    problems: list[Problem] = []
    if not promotion.name.strip() or len(promotion.name) > MAX_NAME:
        problems.append(
            Problem(Code.NAME_REQUIRED, "Give a name of at most 200 characters", ("name",))
        )
    if not -MAX_PRIORITY <= promotion.priority <= MAX_PRIORITY:
        problems.append(
            Problem(Code.INVALID_PRIORITY, "Priority is between -1000 and 1000", ("priority",))
        )
    c = promotion.conditions
    if c.starts_at is not None and c.ends_at is not None and c.starts_at >= c.ends_at:
        problems.append(
            Problem(Code.INVALID_DATES, "The end must come after the start", ("endsAt",))
        )
    if promotion.currency is None and _has_fixed_amounts(promotion):
        problems.append(
            Problem(
                Code.CURRENCY_REQUIRED,
                "Fixed amounts and thresholds need a currency",
                ("currency",),
            )
        )
    problems += _offer_problems(promotion)
    problems += _selector_problems(promotion)
    return problems


def code_problems(
    code: str, usage_limit: int | None, per_customer_limit: int | None
) -> list[Problem]:
    """Whether a discount code's text and limits can be stored."""
    problems: list[Problem] = []
    if not CODE_PATTERN.fullmatch(code):
        problems.append(
            Problem(Code.INVALID_CODE, "Codes are 3 to 32 letters, digits, - or _", ("code",))
        )
    for name, limit in (("usageLimit", usage_limit), ("perCustomerLimit", per_customer_limit)):
        if limit is not None and not 1 <= limit <= 10**9:
            problems.append(Problem(Code.INVALID_LIMIT, "A limit is at least 1", (name,)))
    return problems
