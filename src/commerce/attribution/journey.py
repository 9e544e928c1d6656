"""Which touches count for a conversion: look-back window, order, duplicates, the cap."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from commerce.attribution.model import Touch, require_aware

DEFAULT_LOOKBACK = timedelta(days=365)
DEFAULT_MAX_TOUCHES = 40


def journey_order(touch: Touch) -> tuple[datetime, str, str]:
    """The one order of a journey: time, then touch id (and channel, for equal ids)."""
    return (touch.at, touch.touch_id, touch.channel)


def journey(
    touches: Iterable[Touch],
    *,
    converted_at: datetime,
    lookback: timedelta = DEFAULT_LOOKBACK,
    max_touches: int = DEFAULT_MAX_TOUCHES,
) -> tuple[Touch, ...]:
    """The touches that count for a conversion at ``converted_at``, in journey order.

    - inside the look-back: ``converted_at - lookback <= at <= converted_at`` (a touch
      after the conversion cannot have caused it);
    - sorted by (at, touch_id), so the result never depends on the order events arrived in;
    - de-duplicated by ``touch_id`` (a client re-sending an event makes one touch): of the
      copies inside the window the earliest is kept;
    - more than ``max_touches`` left: the first touch and the most recent
      ``max_touches - 1`` are kept. The first touch is what first-touch and position-based
      credit (the ad click that brought the shopper in); the recent ones carry most of the
      weight under last-touch and time decay. The touches dropped from the middle would each
      get a sliver of linear credit at most, and a bounded journey keeps crediting bounded.
    """
    require_aware(converted_at, "the conversion time")
    if lookback < timedelta(0):
        raise ValueError("the look-back cannot be negative")
    if max_touches < 2:
        raise ValueError("a journey keeps at least two touches: the first and the last")
    start = converted_at - lookback
    seen: set[str] = set()
    kept: list[Touch] = []
    for touch in sorted((t for t in touches if start <= t.at <= converted_at), key=journey_order):
        if touch.touch_id not in seen:
            seen.add(touch.touch_id)
            kept.append(touch)
    if len(kept) > max_touches:
        kept = [kept[0], *kept[len(kept) - (max_touches - 1) :]]
    return tuple(kept)
