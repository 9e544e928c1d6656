"""Who recommendations are for, and what is known of them: plain values, no I/O."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from commerce.recommendations.model import age_affinity

# Recently viewed: what a product page's "you looked at" row shows, and no more.
MAX_VIEWS = 20
SECONDS_PER_DAY = 86_400.0
# Customer ids and the visitor ids journeys issues: short opaque tokens, nothing else.
_SHOPPER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_shopper_id(value: str) -> bool:
    """Whether ``value`` can name a shopper (it becomes part of a key)."""
    return bool(_SHOPPER_ID.match(value))


class ShopperKind(enum.StrEnum):
    """A signed-in customer, or a browser's visitor id (journeys issues those)."""

    CUSTOMER = "CUSTOMER"
    VISITOR = "VISITOR"


@dataclass(frozen=True, slots=True)
class ShopperRef:
    """One shopper whose signals are kept."""

    kind: ShopperKind
    id: str

    @classmethod
    def customer(cls, customer_id: str) -> ShopperRef:
        return cls(ShopperKind.CUSTOMER, customer_id)

    @classmethod
    def visitor(cls, visitor_id: str) -> ShopperRef:
        return cls(ShopperKind.VISITOR, visitor_id)


@dataclass(frozen=True, slots=True)
class View:
    """A product the shopper looked at, and when."""

    product_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ShopperProfile:
    """A shopper's affinity (weights as of ``as_of``), one-offs owned, country, views."""

    ref: ShopperRef
    weights: Mapping[str, float] = field(default_factory=dict)
    as_of: datetime | None = None
    owned: frozenset[str] = frozenset()
    country: str | None = None
    views: tuple[View, ...] = ()

    def weights_at(self, now: datetime, half_life_days: float) -> dict[str, float]:
        """The affinity carried to ``now``."""
        if self.as_of is None:
            return dict(self.weights)
        elapsed = (now - self.as_of).total_seconds() / SECONDS_PER_DAY
        return age_affinity(self.weights, elapsed, half_life_days)


@dataclass(frozen=True, slots=True)
class PaidBasket:
    """What a paid order says about its shopper: products, one-offs, where it ships."""

    order_id: str
    customer_id: str | None
    paid_at: datetime
    product_ids: tuple[str, ...]
    one_off_ids: frozenset[str]
    country: str | None


def with_basket(
    profile: ShopperProfile, basket: PaidBasket, half_life_days: float
) -> ShopperProfile:
    """The profile after one more paid basket: older weights decayed to its time, +1 each."""
    weights = profile.weights_at(basket.paid_at, half_life_days)
    for product_id in basket.product_ids:
        weights[product_id] = weights.get(product_id, 0.0) + 1.0
    return replace(
        profile,
        weights=weights,
        as_of=basket.paid_at,
        owned=profile.owned | basket.one_off_ids,
        country=basket.country or profile.country,
    )


def with_views(
    views: tuple[View, ...], product_ids: Iterable[str], at: datetime, cap: int = MAX_VIEWS
) -> tuple[View, ...]:
    """Recently viewed after new views at ``at``: newest first, each product once, capped."""
    fresh = [View(pid, at) for pid in dict.fromkeys(product_ids)]
    seen = {v.product_id for v in fresh}
    kept = [v for v in views if v.product_id not in seen]
    return tuple(sorted(fresh, key=lambda v: v.product_id) + kept)[:cap]
