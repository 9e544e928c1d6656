"""Relevance order without sorting every match.

A text query lists its matches by how many query words they match as whole words,
then by how many they match in the title, then by title. Sorting every match by that
key costs a Python-level key per match, which at 100,000 products is a hundred
milliseconds for a common word. But the first two parts of the key take few values
(at most one more than the number of query words each), so the matches fall into a
handful of score classes, computed with set operations; within a class the order is
the catalog's precomputed title order. A page then takes its products class by class:
a large class by walking the title order and keeping its members (a few steps per
listed product), a small one by sorting its members' places in that order. The work
is bounded by the page and the number of classes, not by the matches.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

# (whole-word matches, title-word matches) of the products in one class.
Score = tuple[int, int]
# Where a page starts or ends: (index of the class in listing order, place in the title order).
Position = tuple[int, int]


def score_classes(
    members: AbstractSet[int],
    whole: Sequence[AbstractSet[int]],
    in_title: Sequence[AbstractSet[int]],
) -> dict[Score, AbstractSet[int]]:
    """``members`` split by how many of ``whole`` and of ``in_title`` hold each one."""
    classes: dict[Score, AbstractSet[int]] = {(0, 0): members}
    for part, sets in ((0, whole), (1, in_title)):
        for found in sets:
            moved: dict[Score, AbstractSet[int]] = {}
            for score, group in classes.items():
                inside = group & found
                outside = group - inside if inside else group
                raised = (score[0] + 1, score[1]) if part == 0 else (score[0], score[1] + 1)
                for key, share in ((score, outside), (raised, inside)):
                    if share:
                        held = moved.get(key)
                        moved[key] = share if held is None else held | share
            classes = moved
    return classes


@dataclass(frozen=True, slots=True)
class _Segment:
    """One score class: its members, and their title places when few enough to sort."""

    score: Score
    members: AbstractSet[int]
    places: Sequence[int] | None  # ascending places in the title order; None: walk it


class RankedClasses:
    """The matches in relevance order, as classes over one title order.

    ``order`` and ``rank`` are the title order the listing uses (reversed when the
    listing is) and each product's place in it. Classes list most relevant first, or
    last when ``reverse``.
    """

    def __init__(
        self,
        classes: dict[Score, AbstractSet[int]],
        order: Sequence[int],
        rank: Sequence[int],
        page_size: int,
        reverse: bool,
    ) -> None:
        self._order = order
        catalog = len(order)
        scores = sorted(classes, reverse=not reverse)
        segments = []
        for score in scores:
            members = classes[score]
            # Walk when a page takes about ``page * catalog / members`` steps or fewer
            # than sorting the class would (the rule the listing uses for filters).
            walk = len(members) ** 2 >= (page_size + 1) * catalog
            places = None if walk else sorted(rank[i] for i in members)
            segments.append(_Segment(score, members, places))
        self._segments = segments
        self._listing_keys = [_listing_key(s, reverse) for s in scores]
        self._reverse = reverse

    def __len__(self) -> int:
        return len(self._segments)

    def start_of(self, score: Score, place: int) -> Position:
        """Where the class ``score`` (present or not) reaches title place ``place``."""
        key = _listing_key(score, self._reverse)
        index = bisect_left(self._listing_keys, key)
        if index < len(self._listing_keys) and self._listing_keys[index] == key:
            return (index, place)
        return (index, 0)

    @property
    def end(self) -> Position:
        return (len(self._segments), 0)

    def score_of(self, index: int) -> Score:
        return self._segments[index].score

    def listed(self, low: Position, high: Position, backward: bool) -> Iterator[tuple[int, int]]:
        """(class index, product) of every match from ``low`` up to, not including,
        ``high``, in listing order or from the end when ``backward``."""
        catalog = len(self._order)
        first, last = low[0], min(high[0], len(self._segments) - 1)
        indexes = range(last, first - 1, -1) if backward else range(first, last + 1)
        for index in indexes:
            start = low[1] if index == low[0] else 0
            stop = high[1] if index == high[0] else catalog
            if start < stop:
                for place in self._places(self._segments[index], start, stop, backward):
                    yield index, self._order[place]

    def _places(self, segment: _Segment, start: int, stop: int, backward: bool) -> Iterator[int]:
        if segment.places is not None:
            places = segment.places
            low, high = bisect_left(places, start), bisect_left(places, stop)
            steps = range(high - 1, low - 1, -1) if backward else range(low, high)
            return (places[k] for k in steps)
        order, members = self._order, segment.members
        steps = range(stop - 1, start - 1, -1) if backward else range(start, stop)
        return (place for place in steps if order[place] in members)


def _listing_key(score: Score, reverse: bool) -> Score:
    """Ascending in listing order: more matches first, or last when reversed."""
    return score if reverse else (-score[0], -score[1])
