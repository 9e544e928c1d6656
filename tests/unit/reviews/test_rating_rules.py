"""The rating's arithmetic and which review changes move it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commerce.catalog.model import ProductRating
from commerce.reviews.commands import moderation_problems, review_problems
from commerce.reviews.errors import ReviewErrorCode as Code
from commerce.reviews.model import (
    PolicyViolation,
    Review,
    ReviewState,
    author_name,
    rating_deltas,
)

NOW = datetime(2026, 12, 8, tzinfo=UTC)


def review(rating: int = 4, state: ReviewState = ReviewState.PUBLISHED) -> Review:
    return Review(
        id="r1",
        product_id="p1",
        customer_id="c1",
        author_name="Ada L.",
        order_id="o1",
        line_id="l1",
        rating=rating,
        title="t",
        body="",
        state=state,
        verified=True,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("distribution", "average", "tenths"),
    [
        ((0, 0, 0, 0, 0), None, None),
        ((0, 0, 0, 1, 0), Decimal("4.0"), 40),
        ((0, 0, 0, 3, 1), Decimal("4.3"), 43),  # 4.25 rounds half up
        ((1, 0, 0, 0, 2), Decimal("3.7"), 37),  # 3.666...
        ((2, 0, 0, 0, 1), Decimal("2.3"), 23),  # 2.333...
    ],
)
def test_the_average_is_exact_and_shown_with_one_decimal_rounded_half_up(
    distribution: tuple[int, int, int, int, int], average: Decimal | None, tenths: int | None
) -> None:
    rating = ProductRating(distribution)
    assert rating.average == average
    assert rating.tenths == tenths


def test_only_shown_reviews_move_the_counts() -> None:
    published, rejected = review(5), review(5, ReviewState.REJECTED)
    assert rating_deltas(None, published) == (0, 0, 0, 0, 1)
    assert rating_deltas(published, replace(published, rating=2)) == (0, 1, 0, 0, -1)
    assert rating_deltas(published, replace(published, state=ReviewState.FLAGGED)) == (0,) * 5
    assert rating_deltas(published, rejected) == (0, 0, 0, 0, -1)
    assert rating_deltas(rejected, replace(rejected, rating=1)) == (0,) * 5
    assert rating_deltas(published, None) == (0, 0, 0, 0, -1)


def test_rejecting_or_flagging_names_a_policy_and_every_decision_a_reason() -> None:
    codes = [p.code for p in moderation_problems(ReviewState.REJECTED, None, " ")]
    assert codes == [Code.REASON_REQUIRED, Code.POLICY_REQUIRED]
    assert moderation_problems(ReviewState.FLAGGED, PolicyViolation.SPAM, "links") == []
    assert moderation_problems(ReviewState.PUBLISHED, None, "cleared") == []


def test_no_policy_is_about_sentiment() -> None:
    names = {p.value for p in PolicyViolation}
    assert not names & {"NEGATIVE", "LOW_RATING", "CRITICAL", "UNFAVOURABLE"}


def test_a_review_needs_one_to_five_stars_and_a_title() -> None:
    codes = [p.code for p in review_problems(0, "", "x" * 5001)]
    assert codes == [Code.INVALID_RATING, Code.BLANK, Code.TOO_LONG]
    assert review_problems(5, "Good", "") == []


def test_authors_are_named_by_first_name_and_initial() -> None:
    assert author_name("Ada", "Lovelace") == "Ada L."
    assert author_name("Ada", "") == "Ada"
    assert author_name(" ", "Lovelace") == "A customer"
