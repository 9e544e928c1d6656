"""Credit of a paid order to its journey's touches, and what that adds to the reports.

Pure: the service hands in the order's facts and the stored touches, and gets back the
credits per model (``commerce.attribution``) and the rollup deltas to add. A refund is
taken from the credits (``refund_shares``), never computed anew, so net credits never
go negative and always add up to the order's value net of refunds.

Reports are cut by these dimensions: a touch's channel, source, medium, campaign,
affiliate and app carry the touch's credit; the order's payment method and whether its
journey had a mobile-app touch carry the whole order's.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction

from commerce.attribution import (
    DIRECT,
    Model,
    Touch,
    Weights,
    allocate,
    credit_all,
    journey,
    refund_shares,
)
from commerce.journeys.model import Event
from commerce.money import Currency
from commerce.principals import Channel

MAX_TOUCHES = 40
# Conversions are fractional under multi-touch models; kept in millionths, exactly.
CONVERSION_UNITS = 1_000_000
NONE = "(none)"


class Dimension(enum.Enum):
    """What a report groups by."""

    CHANNEL = "CHANNEL"
    SOURCE = "SOURCE"
    MEDIUM = "MEDIUM"
    CAMPAIGN = "CAMPAIGN"
    AFFILIATE = "AFFILIATE"
    APP = "APP"
    PAYMENT_METHOD = "PAYMENT_METHOD"
    APP_TOUCH = "APP_TOUCH"


@dataclass(frozen=True, slots=True)
class PaidOrder:
    """What crediting needs of a paid order (read through the orders service)."""

    order_id: str
    value: int
    currency: Currency
    paid_at: datetime
    customer_id: str | None
    visitor_id: str | None
    affiliate_id: str | None
    payment_method: str | None = None


@dataclass(frozen=True, slots=True)
class JourneyTouch:
    """A touch with what reports cut it by."""

    touch_id: str
    at: datetime
    channel: str
    source: str
    medium: str
    campaign: str
    affiliate: str
    app: str
    mobile: bool


@dataclass(frozen=True, slots=True)
class OrderCredit:
    """An order's journey and each model's credit per touch (net of refunds so far)."""

    order_id: str
    currency: Currency
    value: int
    paid_at: datetime
    customer_id: str | None
    payment_method: str
    touches: tuple[JourneyTouch, ...]
    credits: Mapping[Model, tuple[int, ...]]
    refunded: int = 0
    weights_fitted_at: datetime | None = None
    order_number: int = 0
    cohort: str | None = None
    # The affiliate commission the order costs, net of reversals, as last joined.
    commission: int = 0
    # Each model's credit before refunds (None on credits stored before it was kept:
    # then ``credits`` while nothing was refunded): what a re-credit takes back.
    gross: Mapping[Model, tuple[int, ...]] | None = None
    # How often the stored credit was rewritten (refund, commission, re-credit): every
    # rewrite is conditioned on it, so two of them never overwrite each other.
    revision: int = 0


# (orders, revenue, conversions in millionths) per dimension value.
Cell = list[int]
DayRollup = dict[str, dict[str, dict[str, Cell]]]


@dataclass
class RollupDelta:
    """What one credit or refund adds to a day's rollup: model → dimension → value → cell."""

    cells: DayRollup = field(default_factory=dict)

    def add(self, model: Model, dimension: Dimension, value: str, cell: Sequence[int]) -> None:
        by_value = self.cells.setdefault(model.value, {}).setdefault(dimension.value, {})
        current = by_value.setdefault(value, [0, 0, 0])
        for i, amount in enumerate(cell):
            current[i] += amount


def touches_of(events: Iterable[Event]) -> list[JourneyTouch]:
    """The touches among a journey's events (those that carried touch context)."""
    found = []
    for event in events:
        if event.touch is None or event.marketing_channel is None:
            continue
        touch = event.touch
        found.append(
            JourneyTouch(
                touch_id=event.event_id,
                at=event.at,
                channel=event.marketing_channel,
                source=touch.utm_source or touch.referrer_host or NONE,
                medium=touch.utm_medium or NONE,
                campaign=touch.utm_campaign or NONE,
                affiliate=touch.affiliate_id or NONE,
                app=event.app or NONE,
                mobile=event.sales_channel is Channel.MOBILE,
            )
        )
    return found


def credit_order(
    order: PaidOrder,
    touches: Sequence[JourneyTouch],
    *,
    lookback: timedelta,
    half_life: timedelta,
    weights: Weights | None,
    weights_fitted_at: datetime | None,
) -> OrderCredit:
    """Every model's credit of the order: a journey without touches is one direct visit."""
    by_id = {t.touch_id: t for t in touches}
    kept = journey(
        [Touch(t.touch_id, t.at, t.channel) for t in touches],
        converted_at=order.paid_at,
        lookback=lookback,
        max_touches=MAX_TOUCHES,
    )
    chosen = [by_id[t.touch_id] for t in kept]
    if not chosen:
        chosen = [
            JourneyTouch(
                touch_id=f"order:{order.order_id}",
                at=order.paid_at,
                channel=DIRECT,
                source=NONE,
                medium=NONE,
                campaign=NONE,
                affiliate=order.affiliate_id or NONE,
                app=NONE,
                mobile=False,
            )
        ]
    credits = credit_all(
        [Touch(t.touch_id, t.at, t.channel) for t in chosen],
        order.value,
        converted_at=order.paid_at,
        half_life=half_life,
        weights=weights,
    )
    return OrderCredit(
        order_id=order.order_id,
        currency=order.currency,
        value=order.value,
        paid_at=order.paid_at,
        customer_id=order.customer_id,
        payment_method=order.payment_method or NONE,
        touches=tuple(chosen),
        credits=dict(credits),
        weights_fitted_at=weights_fitted_at,
        gross=dict(credits),
    )


def _touch_value(touch: JourneyTouch, dimension: Dimension) -> str:
    return {
        Dimension.CHANNEL: touch.channel,
        Dimension.SOURCE: touch.source,
        Dimension.MEDIUM: touch.medium,
        Dimension.CAMPAIGN: touch.campaign,
        Dimension.AFFILIATE: touch.affiliate,
        Dimension.APP: touch.app,
    }[dimension]


TOUCH_DIMENSIONS = (
    Dimension.CHANNEL,
    Dimension.SOURCE,
    Dimension.MEDIUM,
    Dimension.CAMPAIGN,
    Dimension.AFFILIATE,
    Dimension.APP,
)


def has_app_touch(credit: OrderCredit) -> bool:
    """Whether the journey had a touch on the mobile app."""
    return any(t.mobile for t in credit.touches)


def credit_delta(credit: OrderCredit) -> RollupDelta:
    """What a credited order adds: per model, each touch's credit to its values."""
    delta = RollupDelta()
    app_touch = "with_app" if has_app_touch(credit) else "without_app"
    for model, parts in credit.credits.items():
        conversions = (
            allocate(CONVERSION_UNITS, [Fraction(p) for p in parts])
            if sum(parts) > 0
            else allocate(CONVERSION_UNITS, [Fraction(1)] * len(parts))
        )
        for dimension in TOUCH_DIMENSIONS:
            seen: set[str] = set()
            for touch, part, conv in zip(credit.touches, parts, conversions, strict=True):
                value = _touch_value(touch, dimension)
                first = value not in seen
                seen.add(value)
                delta.add(model, dimension, value, [1 if first else 0, part, conv])
        delta.add(
            model,
            Dimension.PAYMENT_METHOD,
            credit.payment_method,
            [1, credit.value, CONVERSION_UNITS],
        )
        delta.add(model, Dimension.APP_TOUCH, app_touch, [1, credit.value, CONVERSION_UNITS])
    return delta


def refund(credit: OrderCredit, refunded_total: int) -> tuple[OrderCredit, RollupDelta] | None:
    """The credit net of a refund now ``refunded_total`` in all, and what it takes from
    the reports; None when nothing more was refunded (a replayed record)."""
    amount = min(refunded_total, credit.value) - credit.refunded
    if amount <= 0:
        return None
    delta = RollupDelta()
    app_touch = "with_app" if has_app_touch(credit) else "without_app"
    net: dict[Model, tuple[int, ...]] = {}
    for model, parts in credit.credits.items():
        shares = refund_shares(parts, amount)
        net[model] = tuple(p - s for p, s in zip(parts, shares, strict=True))
        for dimension in TOUCH_DIMENSIONS:
            for touch, share in zip(credit.touches, shares, strict=True):
                delta.add(model, dimension, _touch_value(touch, dimension), [0, -share, 0])
        delta.add(model, Dimension.PAYMENT_METHOD, credit.payment_method, [0, -amount, 0])
        delta.add(model, Dimension.APP_TOUCH, app_touch, [0, -amount, 0])
    refunded = replace(credit, credits=net, refunded=credit.refunded + amount)
    return refunded, delta


def merged(rollup: DayRollup, delta: RollupDelta) -> DayRollup:
    """The day's rollup with ``delta`` added."""
    result: DayRollup = {
        m: {d: {v: list(c) for v, c in vs.items()} for d, vs in ds.items()}
        for m, ds in rollup.items()
    }
    for model, dimensions in delta.cells.items():
        for dimension, values in dimensions.items():
            target = result.setdefault(model, {}).setdefault(dimension, {})
            for value, cell in values.items():
                current = target.setdefault(value, [0, 0, 0])
                for i, amount in enumerate(cell):
                    current[i] += amount
    return result


DATA_DRIVEN = tuple(m for m in Model if m.data_driven)


def gross_of(credit: OrderCredit) -> Mapping[Model, tuple[int, ...]]:
    """Each model's credit before refunds: the stored one, else (a credit stored before it
    was kept) the net credit, which is the gross one while nothing was refunded."""
    return credit.gross if credit.gross is not None else credit.credits


def _touch_shares(
    credit: OrderCredit, models: Iterable[Model], gross: Mapping[Model, tuple[int, ...]]
) -> RollupDelta:
    """What the credit's touches hold in a day rollup under ``models``: revenue from the
    net credits, conversions from the gross ones (a refund takes revenue, not
    conversions), each value's order counted once."""
    delta = RollupDelta()
    for model in models:
        parts = gross[model]
        conversions = (
            allocate(CONVERSION_UNITS, [Fraction(p) for p in parts])
            if sum(parts) > 0
            else allocate(CONVERSION_UNITS, [Fraction(1)] * len(parts))
        )
        for dimension in TOUCH_DIMENSIONS:
            seen: set[str] = set()
            for touch, net, conv in zip(
                credit.touches, credit.credits[model], conversions, strict=True
            ):
                value = _touch_value(touch, dimension)
                first = value not in seen
                seen.add(value)
                delta.add(model, dimension, value, [1 if first else 0, net, conv])
    return delta


def recredit(
    credit: OrderCredit,
    *,
    half_life: timedelta,
    weights: Weights,
    weights_fitted_at: datetime,
) -> tuple[OrderCredit, RollupDelta] | None:
    """The credit under newly fitted weights, and what that changes in its day rollup;
    None when it was credited under these weights already (a replay, a resumed run).

    Only the data-driven models move. Their new gross credit is computed from the
    journey's stored touches (the events may have expired since), and everything
    refunded so far is taken from it in one pass; the rollup moves by the difference
    between the old credit's shares and the new one's.
    """
    if credit.weights_fitted_at == weights_fitted_at:
        return None
    fresh = credit_all(
        [Touch(t.touch_id, t.at, t.channel) for t in credit.touches],
        credit.value,
        converted_at=credit.paid_at,
        half_life=half_life,
        weights=weights,
    )
    old_gross = gross_of(credit)
    refunded = min(credit.refunded, credit.value)
    gross = dict(old_gross)
    net = dict(credit.credits)
    for model in DATA_DRIVEN:
        gross[model] = fresh[model]
        shares = refund_shares(fresh[model], refunded)
        net[model] = tuple(p - s for p, s in zip(fresh[model], shares, strict=True))
    updated = replace(credit, credits=net, gross=gross, weights_fitted_at=weights_fitted_at)
    delta = _touch_shares(updated, DATA_DRIVEN, gross)
    for model_name, dimensions in _touch_shares(credit, DATA_DRIVEN, old_gross).cells.items():
        for dimension, values in dimensions.items():
            for value, cell in values.items():
                delta.add(Model(model_name), Dimension(dimension), value, [-c for c in cell])
    return updated, delta


def path_of(credit: OrderCredit) -> tuple[str, ...]:
    """The order's channel path, as the data-driven models are fitted on."""
    return tuple(t.channel for t in sorted(credit.touches, key=lambda t: (t.at, t.touch_id)))
