"""Reviews, moderation, review requests and order feedback: pure values and rules.

No I/O here. The rules that matter to the law and to shoppers live in this module:

- a review is tied to a paid order line of its product (``purchased_line``); it says it is
  a *verified purchase* while that order is not fully refunded;
- a review counts in its product's rating while it is shown (PUBLISHED or FLAGGED); only a
  REJECTED review is hidden, and rejection names a policy (``PolicyViolation``): there is no
  reason for "negative", so sentiment can never be one (the FTC's rule on consumer reviews,
  16 CFR 465.7, in force since October 2024, forbids suppressing reviews for it);
- the rating's counts move by ``rating_deltas`` on every change of a review, in the
  same transaction as the review (docs/decisions/0021-reviews.md).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from commerce.orders.model import Order, OrderLine, OrderStatus
from commerce.problems import Problem
from commerce.reviews.errors import ReviewErrorCode as Code

MIN_RATING, MAX_RATING = 1, 5
MAX_TITLE = 120
MAX_BODY = 5_000
MAX_REASON = 500
MAX_REPLY = 2_000
MAX_COMMENT = 2_000

# Orders whose lines may be reviewed: paid, and not given back in full.
_REVIEWABLE = frozenset({OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED})
# Orders a buyer may give feedback on: paid at some point.
_FEEDBACK = _REVIEWABLE | {OrderStatus.REFUNDED}


class ReviewState(enum.Enum):
    """Where a review is in moderation."""

    # Shown and counted: every review starts here (moderation comes after, never before).
    PUBLISHED = "PUBLISHED"
    # Shown and counted, marked for a second look (a shopper's report, a suspected policy).
    FLAGGED = "FLAGGED"
    # Hidden and not counted, for a named policy violation.
    REJECTED = "REJECTED"


class PolicyViolation(enum.Enum):
    """The only grounds to flag or reject a review. None of them is about its rating."""

    SPAM = "SPAM"
    OFF_TOPIC = "OFF_TOPIC"
    OFFENSIVE_CONTENT = "OFFENSIVE_CONTENT"
    PERSONAL_INFORMATION = "PERSONAL_INFORMATION"
    CONFLICT_OF_INTEREST = "CONFLICT_OF_INTEREST"
    ILLEGAL_CONTENT = "ILLEGAL_CONTENT"
    INTELLECTUAL_PROPERTY = "INTELLECTUAL_PROPERTY"


SHOWN = frozenset({ReviewState.PUBLISHED, ReviewState.FLAGGED})


@dataclass(frozen=True, slots=True)
class Reply:
    """The shop's public answer to a review (one; a new answer replaces it)."""

    body: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    """One customer's review of one product, tied to the order line it was bought on."""

    id: str
    product_id: str
    customer_id: str
    author_name: str
    order_id: str
    line_id: str
    rating: int
    title: str
    body: str
    state: ReviewState
    verified: bool
    created_at: datetime
    updated_at: datetime
    helpful_votes: int = 0
    reply: Reply | None = None
    rev: int = 0

    @property
    def shown(self) -> bool:
        """Whether shoppers see it and its rating counts."""
        return self.state in SHOWN


def rating_deltas(before: Review | None, after: Review | None) -> tuple[int, int, int, int, int]:
    """How a change of one review moves its product's counts of 1..5 stars.

    ``before`` None: created; ``after`` None: deleted. A review counts while shown.
    """
    deltas = [0, 0, 0, 0, 0]
    if before is not None and before.shown:
        deltas[before.rating - 1] -= 1
    if after is not None and after.shown:
        deltas[after.rating - 1] += 1
    return (deltas[0], deltas[1], deltas[2], deltas[3], deltas[4])


def purchased_line(order: Order | None, customer_id: str, product_id: str) -> OrderLine | Problem:
    """The line of ``order`` that lets ``customer_id`` review ``product_id``, or why not."""
    if order is None or order.customer_id != customer_id:
        return Problem(Code.ORDER_NOT_FOUND, "No such order among yours", ("orderId",))
    if order.status not in _REVIEWABLE:
        return Problem(
            Code.ORDER_NOT_ELIGIBLE,
            "Only paid orders that were not refunded in full can be reviewed",
            ("orderId",),
        )
    line = next((li for li in order.lines if li.product_id == product_id), None)
    if line is None:
        return Problem(Code.PRODUCT_NOT_PURCHASED, "This order has no such product", ("productId",))
    return line


def feedback_problem(order: Order | None) -> Problem | None:
    """Why feedback on ``order`` (already checked to be the caller's) is refused, if it is."""
    if order is None:
        return Problem(Code.ORDER_NOT_FOUND, "No such order among yours", ("orderId",))
    if order.status not in _FEEDBACK:
        return Problem(
            Code.ORDER_NOT_ELIGIBLE, "Feedback is for orders that were paid", ("orderId",)
        )
    return None


def author_name(first_name: str, last_name: str) -> str:
    """How a review names its author: first name and last initial ("Ada L."), never the
    email; "A customer" for an account without names."""
    first, last = first_name.strip(), last_name.strip()
    if not first:
        return "A customer"
    return f"{first} {last[0]}." if last else first


@dataclass(frozen=True, slots=True)
class ModerationEntry:
    """One moderation decision, as the log keeps it (the log is never rewritten)."""

    id: str
    review_id: str
    from_state: ReviewState
    to_state: ReviewState
    policy: PolicyViolation | None
    reason: str
    actor: str
    at: datetime


class RequestState(enum.Enum):
    """Where a review request for one purchased line is."""

    PENDING = "PENDING"
    SENT = "SENT"
    # The order was refunded (in part or in full) before it was due.
    CANCELLED = "CANCELLED"
    # Due, but the customer had not agreed to email then.
    NO_CONSENT = "NO_CONSENT"


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    """The one request to review a purchased line, due some days after it reached the buyer."""

    order_id: str
    line_id: str
    product_id: str
    customer_id: str
    title: str
    due_at: datetime
    state: RequestState


@dataclass(frozen=True, slots=True)
class OrderFeedback:
    """A buyer's ratings of an order's delivery and of the service, for staff."""

    order_id: str
    order_number: int
    customer_id: str | None
    delivery_rating: int
    service_rating: int
    comment: str
    submitted_at: datetime
