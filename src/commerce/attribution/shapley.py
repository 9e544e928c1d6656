"""Shapley values of the channels, with the "subset" characteristic function, exactly.

The game (Zhao, Mahboobi & Bagheri 2018, "Shapley value methods for attribution modeling
in online advertising", arXiv:1804.05327, section 3): the players are the channels; the
worth of a coalition S is the number of converting journeys whose set of channels is a
subset of S, ``v(S) = sum over T subset of S of R(T)``, R(T) the conversions of journeys
whose channel set is exactly T. Such a v is a sum of unanimity games ``R(T) * u_T``, and
the Shapley value of ``u_T`` gives 1/|T| to each member of T, so

    phi(c) = sum over channel sets T containing c of R(T) / |T|

exactly: the same numbers the 2^n-coalition definition gives (a test checks this by
brute force), in time linear in the number of distinct paths and with no limit on the
number of channels. The values add up to all conversions, and are never negative.
Non-converting journeys do not enter this game; the Markov model is the one that weighs
them.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from commerce.attribution.model import PathCounts


def conversions_by_channel_set(counts: PathCounts) -> Counter[frozenset[str]]:
    """R(T): converting journeys by their exact set of channels (empty paths left out)."""
    by_set: Counter[frozenset[str]] = Counter()
    for path, n in counts.conversions.items():
        if path and n:
            by_set[frozenset(path)] += n
    return by_set


def shapley_values(counts: PathCounts) -> dict[str, Fraction]:
    """Each channel's Shapley value in conversions: every channel of a counted journey."""
    # set().union runs over each path in C: the channels of 20,000 long paths in a few ms.
    channels: set[str] = set().union(
        *(path for paths in (counts.conversions, counts.non_conversions)
          for path, n in paths.items() if n)
    )  # fmt: skip
    values = dict.fromkeys(sorted(channels), Fraction(0))
    for channel_set, n in conversions_by_channel_set(counts).items():
        share = Fraction(n, len(channel_set))
        for channel in channel_set:
            values[channel] += share
    return values
