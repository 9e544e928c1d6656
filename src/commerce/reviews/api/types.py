"""The reviews' payloads, order feedback and the user error type."""

from __future__ import annotations

from datetime import datetime

import strawberry

from commerce.catalog.api.reviewed import ReviewType
from commerce.graphql.ids import to_global_id
from commerce.graphql.relay import Connection, Edge, PageInfo
from commerce.graphql.use_cases import Outcome
from commerce.graphql.user_errors import UserError
from commerce.reviews.errors import ReviewErrorCode as DomainReviewErrorCode
from commerce.reviews.model import OrderFeedback, Review

ReviewErrorCode = strawberry.enum(
    DomainReviewErrorCode, name="ReviewErrorCode", description="Why a review change was refused."
)


@strawberry.type(description="Why a review, vote, moderation or order feedback was refused.")
class ReviewUserError(UserError):
    code: ReviewErrorCode = strawberry.field(description="The reason, for programs.")


@strawberry.type(description="The review as it is now, or why the change was refused.")
class ReviewPayload:
    review: ReviewType | None = strawberry.field(description="The review; null when refused.")
    user_errors: list[ReviewUserError] = strawberry.field(description="Why it was refused.")

    @classmethod
    def of(cls, outcome: Outcome[Review]) -> ReviewPayload:
        return cls(
            review=outcome.map(ReviewType.from_domain),
            user_errors=ReviewUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The deleted review's id, or why it was not deleted.")
class ReviewDeletePayload:
    deleted_review_id: strawberry.ID | None = strawberry.field(
        description="The id of the review deleted."
    )
    user_errors: list[ReviewUserError] = strawberry.field(description="Why it was refused.")

    @classmethod
    def of(cls, outcome: Outcome[str]) -> ReviewDeletePayload:
        return cls(
            deleted_review_id=outcome.map(lambda rid: strawberry.ID(to_global_id("Review", rid))),
            user_errors=ReviewUserError.list_of(outcome.problems),
        )


@strawberry.type(name="OrderFeedback", description="A buyer's feedback on an order, for staff.")
class OrderFeedbackType:
    order_id: strawberry.ID = strawberry.field(description="The Order.")
    order_number: int = strawberry.field(description="The order's readable number.")
    delivery_rating: int = strawberry.field(description="1 to 5: the delivery.")
    service_rating: int = strawberry.field(description="1 to 5: the service.")
    comment: str = strawberry.field(description="What the buyer wrote (may be empty).")
    submitted_at: datetime = strawberry.field(description="When.")

    @classmethod
    def from_domain(cls, feedback: OrderFeedback) -> OrderFeedbackType:
        return cls(
            order_id=strawberry.ID(to_global_id("Order", feedback.order_id)),
            order_number=feedback.order_number,
            delivery_rating=feedback.delivery_rating,
            service_rating=feedback.service_rating,
            comment=feedback.comment,
            submitted_at=feedback.submitted_at,
        )


@strawberry.type(description="Whether the feedback was recorded, or why not.")
class OrderFeedbackSubmitPayload:
    submitted: bool = strawberry.field(description="Whether the feedback was recorded.")
    user_errors: list[ReviewUserError] = strawberry.field(description="Why it was refused.")

    @classmethod
    def of(cls, outcome: Outcome[OrderFeedback]) -> OrderFeedbackSubmitPayload:
        return cls(
            submitted=outcome.value is not None,
            user_errors=ReviewUserError.list_of(outcome.problems),
        )


@strawberry.type(description="A page of order feedback, newest first (staff).")
class OrderFeedbackConnection(Connection[OrderFeedbackType]):
    @classmethod
    def of_rows(
        cls, rows: list[tuple[OrderFeedback, str]], has_next_page: bool
    ) -> OrderFeedbackConnection:
        nodes = [OrderFeedbackType.from_domain(f) for f, _ in rows]
        cursors = [c for _, c in rows]
        return cls(
            edges=[Edge(node=n, cursor=c) for n, c in zip(nodes, cursors, strict=True)],
            nodes=nodes,
            page_info=PageInfo.of(cursors, has_next_page=has_next_page),
        )
