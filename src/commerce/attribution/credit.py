"""One order's credit per touch, under any model, in whole minor units.

``credit`` is what the journeys context calls when an order is paid: the touches of
``journey(...)``, the order's value, a model; a refund is then taken from those credits
with ``refund_shares``. Every model gives each touch an exact rational weight; ``allocate`` turns them
into whole units that add up to the value. The answer depends only on the set of touches,
never on the order they are passed in: weights are computed in journey order (time, then
touch id), which is also the tie-break of the largest remainder (earlier touch first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction

from commerce.attribution import rules
from commerce.attribution.allocation import allocate
from commerce.attribution.journey import journey_order
from commerce.attribution.markov import removal_effects
from commerce.attribution.model import Credit, Model, PathCounts, Touch, Weights, require_aware
from commerce.attribution.shapley import shapley_values

DEFAULT_HALF_LIFE = timedelta(days=7)


def fit(counts: PathCounts) -> Weights:
    """Fit both data-driven models on the population's journeys (exact, not normalised)."""
    return Weights(markov=removal_effects(counts), shapley=shapley_values(counts))


def _channel_weights(model: Model, weights: Weights | None) -> Mapping[str, Fraction]:
    if weights is None:
        return {}
    return weights.markov if model is Model.MARKOV else weights.shapley


def _data_driven(path: Sequence[Touch], by_channel: Mapping[str, Fraction]) -> list[Fraction]:
    """Each touch: its channel's weight, split evenly among that channel's touches here.

    The weights are the fitted ones restricted to the order's channels: only their ratios
    matter once ``allocate`` normalises them. A channel the fit never saw weighs 0.
    """
    touches_of = Counter(t.channel for t in path)
    return [Fraction(by_channel.get(t.channel, Fraction(0))) / touches_of[t.channel] for t in path]


def _weights(
    model: Model,
    path: Sequence[Touch],
    converted_at: datetime,
    half_life: timedelta,
    fitted: Weights | None,
) -> tuple[list[Fraction], bool]:
    """The model's weights over ``path`` (journey order), and whether it fell back."""
    match model:
        case Model.FIRST_TOUCH:
            return rules.first_touch(path), False
        case Model.LAST_TOUCH:
            return rules.last_touch(path), False
        case Model.LAST_NON_DIRECT:
            return rules.last_non_direct(path), False
        case Model.LINEAR:
            return rules.linear(path), False
        case Model.POSITION_BASED:
            return rules.position_based(path), False
        case Model.TIME_DECAY:
            return rules.time_decay(path, converted_at=converted_at, half_life=half_life), False
        case Model.MARKOV | Model.SHAPLEY:
            weights = _data_driven(path, _channel_weights(model, fitted))
            if sum(weights, Fraction(0)) == 0:
                return rules.linear(path), True
            return weights, False


def _check(
    touches: Sequence[Touch], value: int, converted_at: datetime, half_life: timedelta
) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("the value to credit is a non-negative whole number of minor units")
    require_aware(converted_at, "the conversion time")
    if half_life <= timedelta(0):
        raise ValueError("the half-life must be positive")
    if len({t.touch_id for t in touches}) != len(touches):
        raise ValueError("touches repeat an id: pass the touches of journey(...)")
    if any(t.at > converted_at for t in touches):
        raise ValueError("a touch after the conversion cannot be credited for it")
    if value and not touches:
        raise ValueError("a value needs at least one touch to credit")


def credit_with_note(
    touches: Sequence[Touch],
    value: int,
    model: Model,
    *,
    converted_at: datetime,
    half_life: timedelta = DEFAULT_HALF_LIFE,
    weights: Weights | None = None,
) -> Credit:
    """``credit``, with the note of whether a data-driven model fell back to linear.

    MARKOV and SHAPLEY fall back to LINEAR when they have no usable statistics: no
    ``weights`` given, or every channel of this order weighing 0 in them (the fit saw no
    conversion, or none through these channels). ``Credit.fell_back`` says so, so a report
    can show how much of a data-driven column is really linear.
    """
    _check(touches, value, converted_at, half_life)
    order = sorted(range(len(touches)), key=lambda i: journey_order(touches[i]))
    path = [touches[i] for i in order]
    shares, fell_back = _weights(model, path, converted_at, half_life, weights)
    parts = [0] * len(touches)
    for i, part in zip(order, allocate(value, shares), strict=True):
        parts[i] = part
    return Credit(model=model, parts=tuple(parts), fell_back=fell_back)


def credit(
    touches: Sequence[Touch],
    value: int,
    model: Model,
    *,
    converted_at: datetime,
    half_life: timedelta = DEFAULT_HALF_LIFE,
    weights: Weights | None = None,
) -> tuple[int, ...]:
    """Whole minor units per touch, in the order given, adding up exactly to ``value``.

    ``touches`` are one conversion's (``journey(...)``): distinct ids, none after
    ``converted_at``; ``value`` >= 0 (no touches: only 0). ``half_life`` is the time
    decay's; ``weights`` (from ``fit``) feed MARKOV and SHAPLEY, which fall back to linear
    without them (see ``credit_with_note``). Never negative; equal remainders go to the
    earlier touch.
    """
    return credit_with_note(
        touches, value, model, converted_at=converted_at, half_life=half_life, weights=weights
    ).parts


def credit_all_with_notes(
    touches: Sequence[Touch],
    value: int,
    *,
    converted_at: datetime,
    half_life: timedelta = DEFAULT_HALF_LIFE,
    weights: Weights | None = None,
) -> dict[Model, Credit]:
    """``credit_with_note`` under every model, in the enum's order."""
    return {
        model: credit_with_note(
            touches, value, model, converted_at=converted_at, half_life=half_life, weights=weights
        )
        for model in Model
    }


def credit_all(
    touches: Sequence[Touch],
    value: int,
    *,
    converted_at: datetime,
    half_life: timedelta = DEFAULT_HALF_LIFE,
    weights: Weights | None = None,
) -> dict[Model, tuple[int, ...]]:
    """``credit`` under every model, in the enum's order: what a paid order stores."""
    notes = credit_all_with_notes(
        touches, value, converted_at=converted_at, half_life=half_life, weights=weights
    )
    return {model: note.parts for model, note in notes.items()}


def refund_shares(parts: Sequence[int], amount: int) -> tuple[int, ...]:
    """What each touch gives back of a refund of ``amount``, from its credit ``parts``.

    In proportion to each touch's credit under the same model, by largest remainder, so
    the shares add up to ``amount`` exactly and **no share exceeds its touch's credit**:
    the net credits never go negative. Crediting the refunded amount afresh would not
    guarantee that (largest remainder is not monotone in the total: the "Alabama paradox"),
    which is why a refund is taken from the credits rather than computed anew. For a
    second partial refund pass the net credits left after the first.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError("a refund is a non-negative whole number of minor units")
    if any(part < 0 for part in parts):
        raise ValueError("credits cannot be negative")
    if amount > sum(parts):
        raise ValueError("a refund cannot exceed the credit it is taken from")
    return allocate(amount, [Fraction(part) for part in parts])
