"""The reviews context's use-case inputs, checked where they are built.

Each ``*_problems`` function lists everything wrong with an input at once, with the
path of the field at fault; the GraphQL inputs record them and build the command only
when there are none.
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce.problems import Problem
from commerce.reviews.errors import ReviewErrorCode as Code
from commerce.reviews.model import (
    MAX_BODY,
    MAX_COMMENT,
    MAX_RATING,
    MAX_REASON,
    MAX_REPLY,
    MAX_TITLE,
    MIN_RATING,
    PolicyViolation,
    ReviewState,
)


@dataclass(frozen=True, slots=True)
class WriteReview:
    """A customer's new review; ``order_id`` None: the service finds the purchase."""

    product_id: str
    rating: int
    title: str
    body: str
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class EditReview:
    """The author's change; fields left None stay as they are."""

    review_id: str
    rating: int | None = None
    title: str | None = None
    body: str | None = None


@dataclass(frozen=True, slots=True)
class ModerateReview:
    """Staff's decision: the new state, the policy (to flag or reject) and the reason."""

    review_id: str
    state: ReviewState
    reason: str
    policy: PolicyViolation | None = None


@dataclass(frozen=True, slots=True)
class ReplyToReview:
    """The shop's public answer."""

    review_id: str
    body: str


@dataclass(frozen=True, slots=True)
class VoteHelpful:
    """One shopper finds a review helpful: a customer (by token) or a visitor token."""

    review_id: str
    visitor_token: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitFeedback:
    """The buyer's ratings of an order's delivery and service."""

    order_id: str
    access_token: str | None
    delivery_rating: int
    service_rating: int
    comment: str


def rating_problems(rating: int | None, field: str) -> list[Problem]:
    """A whole number of stars from 1 to 5."""
    if rating is None or MIN_RATING <= rating <= MAX_RATING:
        return []
    return [Problem(Code.INVALID_RATING, "A rating is 1 to 5 stars", (field,))]


def text_problems(
    value: str | None, field: str, most: int, *, required: bool = False
) -> list[Problem]:
    """Text within ``most`` characters, and not blank when ``required``."""
    if value is None:
        return []
    if required and not value.strip():
        return [Problem(Code.BLANK, f"{field} must not be blank", (field,))]
    if len(value.strip()) > most:
        return [Problem(Code.TOO_LONG, f"{field} is longer than {most} characters", (field,))]
    return []


def review_problems(rating: int | None, title: str | None, body: str | None) -> list[Problem]:
    """What is wrong with a review's rating, title and body."""
    return [
        *rating_problems(rating, "rating"),
        *text_problems(title, "title", MAX_TITLE, required=True),
        *text_problems(body, "body", MAX_BODY),
    ]


def moderation_problems(
    state: ReviewState, policy: PolicyViolation | None, reason: str
) -> list[Problem]:
    """A reason always; a policy to flag or reject (never for publishing)."""
    found = text_problems(reason, "reason", MAX_REASON)
    if not reason.strip():
        found.append(Problem(Code.REASON_REQUIRED, "Say why: the log keeps it", ("reason",)))
    if state is not ReviewState.PUBLISHED and policy is None:
        found.append(
            Problem(
                Code.POLICY_REQUIRED,
                "Flagging or rejecting names the policy the review breaks",
                ("policy",),
            )
        )
    return found


def reply_problems(body: str) -> list[Problem]:
    """A public answer is not blank and fits."""
    return text_problems(body, "body", MAX_REPLY, required=True)


def feedback_problems(delivery: int, service: int, comment: str) -> list[Problem]:
    """Two ratings of 1 to 5 and a comment that fits."""
    return [
        *rating_problems(delivery, "deliveryRating"),
        *rating_problems(service, "serviceRating"),
        *text_problems(comment, "comment", MAX_COMMENT),
    ]
