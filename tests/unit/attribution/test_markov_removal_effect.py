"""The first-order Markov removal effect, checked against published worked examples."""

from __future__ import annotations

from fractions import Fraction

from attribution_factories import CONVERTED_AT, path_of

from commerce.attribution import (
    Model,
    PathCounts,
    Weights,
    channel_path,
    credit,
    credit_with_note,
    fit,
)
from commerce.attribution import normalised as shares
from commerce.attribution.markov import removal_effects, solve_integer_system


def test_bryl_three_journey_example() -> None:
    # S. Bryl', "Marketing Multi-Channel Attribution model with R (part 1: Markov chains
    # concept)", analyzecore.com, 2016-08-03; the example the ChannelAttribution
    # package's users quote. Journeys: C1 > C2 > C3 > purchase, C1 > null, C2 > C3 > null.
    # Transitions: start > C1 2/3, start > C2 1/3; C1 > C2 1/2, C1 > null 1/2;
    # C2 > C3 2/2; C3 > conv 1/2, C3 > null 1/2.
    # P(conv) = 2/3 * 1/2 * 1 * 1/2 + 1/3 * 1 * 1/2 = 1/6 + 1/6 = 1/3.
    # Without C1: 1/3 * 1/2 = 1/6 -> effect 1 - (1/6)/(1/3) = 1/2.
    # Without C2 or C3: no path reaches conversion -> effect 1.
    # Published: removal effects 0.5, 1, 1; weights 0.2, 0.4, 0.4 of the one conversion.
    counts = PathCounts(
        conversions={("C1", "C2", "C3"): 1},
        non_conversions={("C1",): 1, ("C2", "C3"): 1},
    )
    effects = removal_effects(counts)
    assert effects == {"C1": Fraction(1, 2), "C2": Fraction(1), "C3": Fraction(1)}
    assert shares(effects) == {"C1": Fraction(1, 5), "C2": Fraction(2, 5), "C3": Fraction(2, 5)}


def test_puzyrov_google_ads_and_mailing_example() -> None:
    # S. Puzyrov, "Markov Chain Attribution - Simple Explanation Of Removal Effect",
    # serhiipuzyrov.com, 2019-07. Paths: google ads (2 conversions), mailing (1),
    # google ads > mailing (1), google ads (1 without conversion).
    # Transitions: start > ads 4/5, start > mailing 1/5; ads > conv 2/4, ads > mailing 1/4,
    # ads > null 1/4; mailing > conv 2/2.
    # P(conv) = 4/5 * (1/2 + 1/4 * 1) + 1/5 * 1 = 3/5 + 1/5 = 4/5 (4 of 5 journeys).
    # Without ads: 1/5 -> effect 1 - (1/5)/(4/5) = 3/4.
    # Without mailing: 4/5 * 1/2 = 2/5 -> effect 1 - (2/5)/(4/5) = 1/2.
    # Shares 3/4 : 1/2 = 0.6 : 0.4, so of 4 conversions ads earn 2.4 and mailing 1.6.
    counts = PathCounts(
        conversions={("ads",): 2, ("mailing",): 1, ("ads", "mailing"): 1},
        non_conversions={("ads",): 1},
    )
    effects = removal_effects(counts)
    assert effects == {"ads": Fraction(3, 4), "mailing": Fraction(1, 2)}
    assert {c: 4 * s for c, s in shares(effects).items()} == {
        "ads": Fraction(12, 5),
        "mailing": Fraction(8, 5),
    }


def test_repeating_a_channel_changes_no_removal_effect() -> None:
    # Self-transitions (email > email) only delay leaving a state: the absorption
    # probabilities, hence the effects, are those of the paths with repeats collapsed.
    plain = PathCounts(
        conversions={("ads",): 2, ("mailing",): 1, ("ads", "mailing"): 1},
        non_conversions={("ads",): 1},
    )
    repeated = PathCounts(
        conversions={("ads", "ads"): 2, ("mailing",): 1, ("ads", "mailing", "mailing"): 1},
        non_conversions={("ads", "ads", "ads"): 1},
    )
    assert removal_effects(repeated) == removal_effects(plain)


def test_without_conversions_every_effect_is_zero_and_credit_falls_back_to_linear() -> None:
    weights = fit(PathCounts(conversions={}, non_conversions={("email", "ads"): 4}))
    assert weights.markov == {"ads": Fraction(0), "email": Fraction(0)}
    note = credit_with_note(
        path_of("email", "ads"), 101, Model.MARKOV, converted_at=CONVERTED_AT, weights=weights
    )
    assert (note.parts, note.fell_back) == ((51, 50), True)


def test_an_order_is_credited_by_its_channels_removal_effects() -> None:
    # Bryl's effects C1 1/2, C2 1, C3 1. An order C1 > C2 > C3 of 1,000: weights
    # 1/2 : 1 : 1 -> 200, 400, 400 (the published 0.2 / 0.4 / 0.4).
    counts = PathCounts(
        conversions={("C1", "C2", "C3"): 1},
        non_conversions={("C1",): 1, ("C2", "C3"): 1},
    )
    weights = fit(counts)
    parts = credit(
        path_of("C1", "C2", "C3"), 1_000, Model.MARKOV, converted_at=CONVERTED_AT, weights=weights
    )
    assert parts == (200, 400, 400)


def test_a_channel_share_is_split_evenly_among_its_touches() -> None:
    # Effects ads 3/4, mailing 1/2 (Puzyrov). Order ads > mailing > ads of 1,000: the ads
    # share 3/5 = 600 goes 300 + 300 to its two touches, mailing gets 2/5 = 400.
    weights = Weights(markov={"ads": Fraction(3, 4), "mailing": Fraction(1, 2)})
    parts = credit(
        path_of("ads", "mailing", "ads"),
        1_000,
        Model.MARKOV,
        converted_at=CONVERTED_AT,
        weights=weights,
    )
    assert parts == (300, 400, 300)


def test_a_channel_the_fit_never_saw_gets_nothing_while_others_weigh() -> None:
    weights = Weights(markov={"ads": Fraction(3, 4)})
    note = credit_with_note(
        path_of("tiktok", "ads"), 500, Model.MARKOV, converted_at=CONVERTED_AT, weights=weights
    )
    assert (note.parts, note.fell_back) == ((0, 500), False)


def test_the_exact_solver_handles_a_zero_pivot_and_returns_rationals() -> None:
    # [0 1 | 2], [1 0 | 3] needs a row swap: x = 3, y = 2; and
    # 3x + y = 1, x + 2y = 1 -> x = 1/5, y = 2/5.
    assert solve_integer_system([[0, 1, 2], [1, 0, 3]]) == [Fraction(3), Fraction(2)]
    assert solve_integer_system([[3, 1, 1], [1, 2, 1]]) == [Fraction(1, 5), Fraction(2, 5)]


def test_journeys_tallied_by_path_fit_like_the_counted_example() -> None:
    # Puzyrov's five journeys, as touches: the tally is the counted example's PathCounts.
    journeys = [
        (path_of("ads"), True),
        (path_of("ads"), True),
        (path_of("mailing"), True),
        (path_of("ads", "mailing"), True),
        (path_of("ads"), False),
    ]
    counts = PathCounts.tally((channel_path(touches), converted) for touches, converted in journeys)
    assert counts == PathCounts(
        conversions={("ads",): 2, ("mailing",): 1, ("ads", "mailing"): 1},
        non_conversions={("ads",): 1},
    )
    assert fit(counts).markov == {"ads": Fraction(3, 4), "mailing": Fraction(1, 2)}
