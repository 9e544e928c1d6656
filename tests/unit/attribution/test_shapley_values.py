"""Shapley values over channels (the subset game), checked against a published example."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import factorial

from attribution_factories import CONVERTED_AT, path_of
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.attribution import Model, PathCounts, credit, credit_with_note, fit
from commerce.attribution.shapley import conversions_by_channel_set, shapley_values

# "Data-driven marketing attribution", Towards Data Science, 2019
# (towardsdatascience.com/data-driven-marketing-attribution-1a28d2e613a0): channels
# Facebook (F), Organic (O), LinkedIn (L); of 100 conversions, 20 came through F alone,
# 10 through O, 17 through L, 17 through F+O, 30 through F+L, 0 through L+O, 6 through all
# three. The worth of a coalition is the conversions of the channel sets inside it:
# v(F) = 20, v(O) = 10, v(L) = 17, v(FO) = 47, v(FL) = 67, v(LO) = 27, v(FLO) = 100.
# Shapley, e.g. for F: 1/3 [v(F)] + 1/6 [v(FO) - v(O)] + 1/6 [v(FL) - v(L)]
# + 1/3 [v(FLO) - v(LO)] = 20/3 + 37/6 + 50/6 + 73/3 = 45.5; likewise O = 20.5, L = 34.
# Published: F 0.455, O 0.205, L 0.34 (as shares of the 100 conversions).
ARTICLE = PathCounts(
    conversions={
        ("F",): 20,
        ("O",): 10,
        ("L",): 17,
        ("O", "F"): 17,
        ("F", "L"): 30,
        ("L", "F", "O"): 6,
    },
    non_conversions={("O", "F"): 40, ("L",): 25},
)


def _by_definition(counts: PathCounts) -> dict[str, Fraction]:
    """The Shapley value from its definition: every coalition, weighted |S|!(n-|S|-1)!/n!."""
    by_set = conversions_by_channel_set(counts)
    seen = [p for p, k in counts.non_conversions.items() if k]
    players = sorted({c for s in by_set for c in s} | {c for p in seen for c in p})
    n = len(players)

    def worth(coalition: frozenset[str]) -> int:
        return sum(k for s, k in by_set.items() if s <= coalition)

    values: dict[str, Fraction] = {}
    for player in players:
        others = [p for p in players if p != player]
        total = Fraction(0)
        for size in range(n):
            weight = Fraction(factorial(size) * factorial(n - size - 1), factorial(n))
            for group in combinations(others, size):
                coalition = frozenset(group)
                total += weight * (worth(coalition | {player}) - worth(coalition))
        values[player] = total
    return values


def test_the_published_facebook_organic_linkedin_example() -> None:
    values = shapley_values(ARTICLE)
    assert values == {"F": Fraction(91, 2), "L": Fraction(34), "O": Fraction(41, 2)}
    assert {c: v / 100 for c, v in values.items()} == {
        "F": Fraction("0.455"),
        "L": Fraction("0.34"),
        "O": Fraction("0.205"),
    }


def test_the_values_add_up_to_all_conversions() -> None:
    assert sum(shapley_values(ARTICLE).values()) == 100


def test_non_converting_journeys_do_not_change_the_subset_game() -> None:
    without = PathCounts(conversions=ARTICLE.conversions, non_conversions={})
    assert shapley_values(without) == shapley_values(ARTICLE)


channel_sets = st.lists(
    st.sets(st.sampled_from("ABCDE"), min_size=1).map(lambda s: tuple(sorted(s))),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(channel_sets, st.lists(st.integers(0, 50), min_size=12, max_size=12))
def test_the_closed_form_equals_the_definition_over_every_coalition(
    paths: list[tuple[str, ...]], conversions: list[int]
) -> None:
    counts = PathCounts(
        conversions={p: n for p, n in zip(paths, conversions, strict=False)},
        non_conversions={},
    )
    assert shapley_values(counts) == _by_definition(counts)


def test_an_order_is_credited_by_its_channels_shapley_values() -> None:
    # An order Facebook > LinkedIn of 7,900: weights 45.5 : 34 -> 7,900 x 91/159 =
    # 4,521.38 and 7,900 x 68/159 = 3,378.62; floors 4,521 + 3,378 = 7,899, the cent goes
    # to the larger remainder (0.62): 4,521, 3,379.
    parts = credit(
        path_of("F", "L"), 7_900, Model.SHAPLEY, converted_at=CONVERTED_AT, weights=fit(ARTICLE)
    )
    assert parts == (4_521, 3_379)


def test_repeated_touches_of_a_channel_share_its_value() -> None:
    # F > O > F > O of 1,320: F weighs 45.5, O 20.5 (sum 66): F's 910 splits 455 / 455,
    # O's 410 splits 205 / 205.
    parts = credit(
        path_of("F", "O", "F", "O"),
        1_320,
        Model.SHAPLEY,
        converted_at=CONVERTED_AT,
        weights=fit(ARTICLE),
    )
    assert parts == (455, 205, 455, 205)


def test_an_order_through_channels_without_any_conversion_falls_back_to_linear() -> None:
    counts = PathCounts(conversions={("F",): 3}, non_conversions={("tv", "radio"): 9})
    note = credit_with_note(
        path_of("tv", "radio", "tv"),
        100,
        Model.SHAPLEY,
        converted_at=CONVERTED_AT,
        weights=fit(counts),
    )
    assert (note.parts, note.fell_back) == ((34, 33, 33), True)
