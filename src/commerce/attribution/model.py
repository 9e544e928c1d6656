"""What attribution works on: touches, the models, population statistics and fitted weights.

Plain frozen data, no I/O: the journeys context builds these from its stored events and
calls ``credit`` when an order is paid (``docs/decisions/0011-attribution-models.md``).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

DIRECT = "direct"
"""The channel of a visit with no campaign, click id, referrer or affiliate ref."""


class Model(enum.Enum):
    """The attribution models; the values are the GraphQL enum names."""

    FIRST_TOUCH = "FIRST_TOUCH"
    LAST_TOUCH = "LAST_TOUCH"
    LAST_NON_DIRECT = "LAST_NON_DIRECT"
    LINEAR = "LINEAR"
    POSITION_BASED = "POSITION_BASED"
    TIME_DECAY = "TIME_DECAY"
    MARKOV = "MARKOV"
    SHAPLEY = "SHAPLEY"

    @property
    def data_driven(self) -> bool:
        """Whether the model needs ``Weights`` fitted on the population's journeys."""
        return self in (Model.MARKOV, Model.SHAPLEY)


def _aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


def require_aware(moment: datetime, what: str) -> None:
    """Refuse naive datetimes: comparing them with aware ones would raise deep inside a model."""
    if not _aware(moment):
        raise ValueError(f"{what} must be an aware datetime (UTC)")


@dataclass(frozen=True, slots=True)
class Touch:
    """One marketing touch of a journey: an ad click, an email visit, a direct visit..."""

    touch_id: str
    """Stable id: the event id of the touch, so a re-sent event is the same touch."""
    at: datetime
    """When it happened, aware (UTC)."""
    channel: str
    """``paid_search``, ``affiliate``, ``email``, ``direct`` (``DIRECT``), ``organic``..."""

    def __post_init__(self) -> None:
        if not self.touch_id:
            raise ValueError("a touch needs an id")
        if not self.channel:
            raise ValueError("a touch needs a channel")
        require_aware(self.at, "a touch's time")


Path = tuple[str, ...]
"""A journey's channels in time order, repeats kept: ``("paid_search", "email", "direct")``."""


def channel_path(touches: Iterable[Touch]) -> Path:
    """The channels of a journey's touches, in the order given (pass ``journey(...)``)."""
    return tuple(touch.channel for touch in touches)


@dataclass(frozen=True, slots=True)
class PathCounts:
    """Population statistics the data-driven models are fitted on.

    Journeys are grouped by their channel path. Empty paths (journeys without touches)
    carry no information about channels and are ignored by ``fit``.
    """

    conversions: Mapping[Path, int]
    """Channel path -> number of journeys with that path that converted."""
    non_conversions: Mapping[Path, int]
    """Channel path -> number of journeys with that path that did not convert."""

    @classmethod
    def tally(cls, outcomes: Iterable[tuple[Path, bool]]) -> PathCounts:
        """Count journeys by path: each ``(channel path, converted)`` is one journey."""
        conversions: Counter[Path] = Counter()
        non_conversions: Counter[Path] = Counter()
        for path, converted in outcomes:
            (conversions if converted else non_conversions)[tuple(path)] += 1
        return cls(conversions=conversions, non_conversions=non_conversions)

    def __post_init__(self) -> None:
        for counts in (self.conversions, self.non_conversions):
            if any(n < 0 for n in counts.values()):
                raise ValueError("journey counts cannot be negative")


@dataclass(frozen=True, slots=True)
class Weights:
    """Channel weights fitted by ``fit``, exact rationals.

    Both are **not normalised**: a per-order credit only uses their ratios among the
    channels of that order, so a normalisation would change nothing there. Use
    ``normalised`` for a report of each channel's share of all conversions.
    """

    markov: Mapping[str, Fraction] = field(default_factory=dict)
    """First-order Markov removal effect per channel: 1 - P(conv without c) / P(conv)."""
    shapley: Mapping[str, Fraction] = field(default_factory=dict)
    """Shapley value per channel, in conversions (they add up to all conversions)."""


def normalised(weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """The weights scaled to add up to 1 (all zero, or none: returned as they are)."""
    total = sum(weights.values(), Fraction(0))
    if total == 0:
        return dict(weights)
    return {channel: w / total for channel, w in weights.items()}


@dataclass(frozen=True, slots=True)
class Credit:
    """One order's credit under one model, and whether the model had to fall back."""

    model: Model
    """The model asked for."""
    parts: tuple[int, ...]
    """Whole minor units per touch, in the order the touches were given."""
    fell_back: bool = False
    """True when a data-driven model had no usable statistics and linear was used."""

    @property
    def applied(self) -> Model:
        """The model whose rule produced ``parts``: ``LINEAR`` after a fallback."""
        return Model.LINEAR if self.fell_back else self.model
