"""A product's rating and reviews as the API shows them: ``Product.rating``, ``Product.reviews``
and the ``Review`` type the reviews context's mutations and staff queries return too.

They live beside ``Product`` because a product's fields must: reviews/ imports the catalog
(it changes the rating counts the catalog keeps), so the catalog reaches the reviews
service only through the request's services (typed for the checker alone) and converts
its answers here, by value, as ``recommended.py`` does (docs/decisions/0021-reviews.md).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import strawberry
from strawberry.types import Info

from commerce.catalog.model import STARS, ProductRating
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import to_global_id
from commerce.graphql.permissions import ADMIN
from commerce.graphql.relay import Connection, Edge, Node, PageInfo

if TYPE_CHECKING:
    from commerce.reviews.model import ModerationEntry
    from commerce.reviews.model import Review as DomainReview

REVIEW_TYPE = "Review"
MAX_REVIEWS_PAGE = 50


@strawberry.enum(name="ReviewState", description="Where a review is in moderation.")
class ReviewStateType(enum.Enum):
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Shown and counted in the rating.")
    FLAGGED = strawberry.enum_value(
        "FLAGGED",
        description="Still shown and counted, marked for a second look against a policy.",
    )
    REJECTED = strawberry.enum_value(
        "REJECTED", description="Hidden and not counted, for a named policy violation."
    )


@strawberry.enum(
    name="ReviewPolicyViolation",
    description=(
        "The only grounds to flag or reject a review. None is about the rating or the "
        "opinion: negative reviews are never suppressed."
    ),
)
class ReviewPolicyViolationType(enum.Enum):
    SPAM = strawberry.enum_value("SPAM", description="Advertising, links, repeated text.")
    OFF_TOPIC = strawberry.enum_value("OFF_TOPIC", description="Not about this product.")
    OFFENSIVE_CONTENT = strawberry.enum_value(
        "OFFENSIVE_CONTENT", description="Hateful, harassing, obscene or threatening."
    )
    PERSONAL_INFORMATION = strawberry.enum_value(
        "PERSONAL_INFORMATION", description="Someone's contact details or private data."
    )
    CONFLICT_OF_INTEREST = strawberry.enum_value(
        "CONFLICT_OF_INTEREST", description="Written by staff, the author or for a reward."
    )
    ILLEGAL_CONTENT = strawberry.enum_value("ILLEGAL_CONTENT", description="Against the law.")
    INTELLECTUAL_PROPERTY = strawberry.enum_value(
        "INTELLECTUAL_PROPERTY", description="Copies someone else's work."
    )


@strawberry.enum(description="Orders a product's reviews can be listed in.")
class ReviewSortKeys(enum.Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="Most recent first.")
    OLDEST = strawberry.enum_value("OLDEST", description="Oldest first.")
    HIGHEST_RATING = strawberry.enum_value(
        "HIGHEST_RATING", description="Most stars first, recent first among equals."
    )
    LOWEST_RATING = strawberry.enum_value(
        "LOWEST_RATING", description="Fewest stars first, oldest first among equals."
    )


@strawberry.type(description="How many reviews gave a number of stars.")
class RatingCount:
    stars: int = strawberry.field(description="1 to 5.")
    count: int = strawberry.field(description="Shown reviews with that rating.")


@strawberry.type(
    name="ProductRating",
    description=(
        "The product's shown reviews in numbers, recounted on every change of a review. "
        "Listings sort (sortKey: RATING) and filter (minRating) by the average shown here."
    ),
)
class ProductRatingType:
    average: Decimal | None = strawberry.field(
        description="Mean stars with one decimal, rounded half up; null without reviews."
    )
    count: int = strawberry.field(description="Shown reviews.")
    distribution: list[RatingCount] = strawberry.field(
        description="Reviews per star rating, 5 stars first."
    )

    @classmethod
    def from_domain(cls, rating: ProductRating | None) -> ProductRatingType:
        found = rating or ProductRating()
        return cls(
            average=found.average,
            count=found.count,
            distribution=[
                RatingCount(stars=stars, count=n)
                for stars, n in reversed(list(zip(STARS, found.distribution, strict=True)))
            ],
        )


@strawberry.type(description="The shop's public answer to a review.")
class ReviewReply:
    body: str = strawberry.field(description="The answer.")
    created_at: datetime = strawberry.field(description="When it was written.")


@strawberry.type(description="One moderation decision, as the log keeps it (staff).")
class ReviewModerationEntry:
    from_state: ReviewStateType = strawberry.field(description="State before.")
    to_state: ReviewStateType = strawberry.field(description="State after.")
    policy: ReviewPolicyViolationType | None = strawberry.field(
        description="The policy the review breaks (flag, reject); null when published."
    )
    reason: str = strawberry.field(description="Why, in staff's words.")
    actor: str = strawberry.field(description="Who decided (the credential's kind and id).")
    at: datetime = strawberry.field(description="When.")

    @classmethod
    def from_domain(cls, entry: ModerationEntry) -> ReviewModerationEntry:
        return cls(
            from_state=ReviewStateType(entry.from_state.value),
            to_state=ReviewStateType(entry.to_state.value),
            policy=None if entry.policy is None else ReviewPolicyViolationType(entry.policy.value),
            reason=entry.reason,
            actor=entry.actor,
            at=entry.at,
        )


@strawberry.type(
    name="Review",
    description=(
        "A customer's review of a product they bought. Every review is tied to a paid order "
        "line of the product; verifiedPurchase says whether that order still stands (false "
        "once it was refunded in full). Negative reviews are shown like any other."
    ),
)
class ReviewType(Node):
    product_id: strawberry.ID = strawberry.field(description="The Product reviewed.")
    rating: int = strawberry.field(description="1 to 5 stars.")
    title: str = strawberry.field(description="The headline.")
    body: str = strawberry.field(description="The text (may be empty).")
    author_name: str = strawberry.field(description='First name and last initial ("Ada L.").')
    verified_purchase: bool = strawberry.field(
        description="Bought and paid for on this shop, and not refunded in full."
    )
    state: ReviewStateType = strawberry.field(
        description="PUBLISHED or FLAGGED for shoppers (both shown); REJECTED only for staff."
    )
    helpful_votes: int = strawberry.field(description="Shoppers who found it helpful.")
    reply: ReviewReply | None = strawberry.field(description="The shop's public answer.")
    created_at: datetime = strawberry.field(description="When it was written.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    review_id: strawberry.Private[str]

    @classmethod
    def from_domain(cls, review: DomainReview) -> ReviewType:
        return cls(
            id=strawberry.ID(to_global_id(REVIEW_TYPE, review.id)),
            product_id=strawberry.ID(to_global_id("Product", review.product_id)),
            rating=review.rating,
            title=review.title,
            body=review.body,
            author_name=review.author_name,
            verified_purchase=review.verified,
            state=ReviewStateType(review.state.value),
            helpful_votes=review.helpful_votes,
            reply=None
            if review.reply is None
            else ReviewReply(body=review.reply.body, created_at=review.reply.at),
            created_at=review.created_at,
            updated_at=review.updated_at,
            review_id=review.id,
        )

    @strawberry.field(
        description="Staff: every moderation decision, oldest first.", permission_classes=ADMIN
    )
    async def moderation_log(self, info: Info[Context, None]) -> list[ReviewModerationEntry]:
        reviews = info.context.services.reviews
        entries = await info.context.run(reviews.moderation_log, self.review_id)
        return [ReviewModerationEntry.from_domain(e) for e in entries]


@strawberry.type(description="A page of reviews (Relay cursor connection).")
class ReviewConnection(Connection[ReviewType]):
    pass


class _Page(Protocol):
    @property
    def reviews(self) -> Sequence[tuple[DomainReview, str]]: ...
    @property
    def has_next_page(self) -> bool: ...


def review_connection(page: _Page) -> ReviewConnection:
    """The connection of a reviews page (forward paging only)."""
    nodes = [ReviewType.from_domain(review) for review, _ in page.reviews]
    cursors = [cursor for _, cursor in page.reviews]
    return ReviewConnection(
        edges=[Edge(node=n, cursor=c) for n, c in zip(nodes, cursors, strict=True)],
        nodes=nodes,
        page_info=PageInfo.of(cursors, has_next_page=page.has_next_page),
    )


def check_first(first: int) -> None:
    """BAD_USER_INPUT outside 1..50."""
    if first < 1 or first > MAX_REVIEWS_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_REVIEWS_PAGE}", argument="first")


SORTS: dict[ReviewSortKeys, tuple[str, bool]] = {
    ReviewSortKeys.NEWEST: ("N#", True),
    ReviewSortKeys.OLDEST: ("N#", False),
    ReviewSortKeys.HIGHEST_RATING: ("R#", True),
    ReviewSortKeys.LOWEST_RATING: ("R#", False),
}


async def product_reviews(
    info: Info[Context, None],
    product_id: str,
    first: int,
    after: str | None,
    sort_key: ReviewSortKeys,
) -> ReviewConnection:
    """A page of a product's shown reviews; a cursor of another list is BAD_USER_INPUT."""
    check_first(first)
    reviews = info.context.services.reviews
    try:
        page = await info.context.run(
            reviews.product_reviews, product_id, SORTS[sort_key], first, after
        )
    except ValueError:
        raise BadUserInput(
            "after is not a cursor of this list", reason="INVALID_CURSOR", argument="after"
        ) from None
    return review_connection(page)
