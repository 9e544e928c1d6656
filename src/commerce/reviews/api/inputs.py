"""The reviews' mutation inputs, decoded into commands with every problem recorded."""

from __future__ import annotations

import strawberry

from commerce.catalog.api.reviewed import REVIEW_TYPE, ReviewPolicyViolationType, ReviewStateType
from commerce.graphql.inputs import InputErrors
from commerce.reviews.commands import (
    EditReview,
    ModerateReview,
    ReplyToReview,
    SubmitFeedback,
    VoteHelpful,
    WriteReview,
    feedback_problems,
    moderation_problems,
    reply_problems,
    review_problems,
)
from commerce.reviews.errors import ReviewErrorCode as Code
from commerce.reviews.model import PolicyViolation, ReviewState


@strawberry.input(description="A review of a product the customer bought.")
class ReviewCreateInput:
    product_id: strawberry.ID = strawberry.field(description="The Product reviewed.")
    rating: int = strawberry.field(description="1 to 5 stars.")
    title: str = strawberry.field(description="A headline (1 to 120 characters).")
    body: str = strawberry.field(description="The text (at most 5,000 characters; may be empty).")
    order_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The customer's Order it was bought on; left out, their latest paid order "
            "holding the product is used."
        ),
    )

    def to_command(self, errors: InputErrors) -> WriteReview | None:
        product_id = errors.id(self.product_id, "Product", "productId")
        order_id = errors.optional_id(self.order_id, "Order", "orderId")
        if not errors.check(review_problems(self.rating, self.title, self.body)):
            return None
        if product_id is None or (self.order_id is not None and order_id is None):
            return None
        return WriteReview(product_id, self.rating, self.title, self.body, order_id)


@strawberry.input(description="The author's change to their review; left-out fields stay.")
class ReviewUpdateInput:
    review_id: strawberry.ID = strawberry.field(description="The Review.")
    rating: int | None = strawberry.field(default=None, description="1 to 5 stars.")
    title: str | None = strawberry.field(default=None, description="A new headline.")
    body: str | None = strawberry.field(default=None, description="A new text.")

    def to_command(self, errors: InputErrors) -> EditReview | None:
        review_id = errors.id(self.review_id, REVIEW_TYPE, "reviewId")
        if self.rating is None and self.title is None and self.body is None:
            errors.add(Code.NOTHING_TO_CHANGE, "Give a rating, title or body to change")
        if not errors.check(review_problems(self.rating, self.title, self.body)):
            return None
        if review_id is None or errors:
            return None
        return EditReview(review_id, self.rating, self.title, self.body)


@strawberry.input(description="The review to delete (its author only).")
class ReviewDeleteInput:
    review_id: strawberry.ID = strawberry.field(description="The Review.")


@strawberry.input(description="Staff's moderation decision; the log keeps it.")
class ReviewModerateInput:
    review_id: strawberry.ID = strawberry.field(description="The Review.")
    state: ReviewStateType = strawberry.field(description="The new state.")
    reason: str = strawberry.field(description="Why (required, at most 500 characters).")
    policy: ReviewPolicyViolationType | None = strawberry.field(
        default=None,
        description="The policy it breaks: required to flag or reject, ignored to publish.",
    )

    def to_command(self, errors: InputErrors) -> ModerateReview | None:
        review_id = errors.id(self.review_id, REVIEW_TYPE, "reviewId")
        state = ReviewState(self.state.value)
        policy = None if self.policy is None else PolicyViolation(self.policy.value)
        if not errors.check(moderation_problems(state, policy, self.reason)) or review_id is None:
            return None
        return ModerateReview(review_id, state, self.reason, policy)


@strawberry.input(description="The shop's public answer to a review.")
class ReviewReplyInput:
    review_id: strawberry.ID = strawberry.field(description="The Review.")
    body: str = strawberry.field(description="The answer (1 to 2,000 characters).")

    def to_command(self, errors: InputErrors) -> ReplyToReview | None:
        review_id = errors.id(self.review_id, REVIEW_TYPE, "reviewId")
        if not errors.check(reply_problems(self.body)) or review_id is None:
            return None
        return ReplyToReview(review_id, self.body)


@strawberry.input(description="A shopper found a review helpful (once per shopper).")
class ReviewVoteHelpfulInput:
    review_id: strawberry.ID = strawberry.field(description="The Review.")
    visitor_token: str | None = strawberry.field(
        default=None,
        description="The visitor's token (from visitorStart), for shoppers not logged in.",
    )

    def to_command(self, errors: InputErrors) -> VoteHelpful | None:
        review_id = errors.id(self.review_id, REVIEW_TYPE, "reviewId")
        return None if review_id is None else VoteHelpful(review_id, self.visitor_token)


@strawberry.input(description="The buyer's ratings of an order's delivery and of the service.")
class OrderFeedbackSubmitInput:
    order_id: strawberry.ID = strawberry.field(description="The Order.")
    access_token: str | None = strawberry.field(
        default=None,
        description="A guest's order access token (from checkoutComplete); customers send none.",
    )
    delivery_rating: int = strawberry.field(description="1 to 5: the delivery.")
    service_rating: int = strawberry.field(description="1 to 5: the service.")
    comment: str = strawberry.field(
        default="", description="Anything to tell the shop (at most 2,000 characters)."
    )

    def to_command(self, errors: InputErrors) -> SubmitFeedback | None:
        order_id = errors.id(self.order_id, "Order", "orderId")
        problems = feedback_problems(self.delivery_rating, self.service_rating, self.comment)
        if not errors.check(problems) or order_id is None:
            return None
        return SubmitFeedback(
            order_id, self.access_token, self.delivery_rating, self.service_rating, self.comment
        )
