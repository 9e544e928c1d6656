"""Writing, changing and deleting reviews; votes; moderation and replies; order feedback."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN, CUSTOMER
from commerce.graphql.use_cases import run_use_case
from commerce.principals import Principal
from commerce.reviews.api.inputs import (
    OrderFeedbackSubmitInput,
    ReviewCreateInput,
    ReviewDeleteInput,
    ReviewModerateInput,
    ReviewReplyInput,
    ReviewUpdateInput,
    ReviewVoteHelpfulInput,
)
from commerce.reviews.api.types import (
    OrderFeedbackSubmitPayload,
    ReviewDeletePayload,
    ReviewPayload,
)
from commerce.reviews.errors import ReviewErrorCode as Code


def _actor(principal: Principal) -> str:
    """Who moderated, as the log records it (a credential, never a person's details)."""
    return f"{principal.kind.value}:{principal.id or '-'}"


def _customer(info: Info[Context, None]) -> str:
    customer_id = info.context.principal.customer_id
    assert customer_id is not None  # the permission admits customers only
    return customer_id


@strawberry.type
class ReviewsMutation:
    @strawberry.mutation(
        description=(
            "Review a product you bought (customers): 1 to 5 stars, a title and a text, tied "
            "to a paid order line of the product that was not refunded in full. One review "
            "per product; it is shown at once, with a verified-purchase mark."
        ),
        permission_classes=CUSTOMER,
    )
    async def review_create(
        self, info: Info[Context, None], input: ReviewCreateInput
    ) -> ReviewPayload:
        errors = InputErrors(Code.INVALID_ID)
        reviews, customer_id = info.context.services.reviews, _customer(info)
        outcome = await run_use_case(
            info, errors, input.to_command(errors), lambda c: reviews.write(c, customer_id)
        )
        return ReviewPayload.of(outcome)

    @strawberry.mutation(
        description="Change your review's rating, title or text (its author only).",
        permission_classes=CUSTOMER,
    )
    async def review_update(
        self, info: Info[Context, None], input: ReviewUpdateInput
    ) -> ReviewPayload:
        errors = InputErrors(Code.INVALID_ID)
        reviews, customer_id = info.context.services.reviews, _customer(info)
        outcome = await run_use_case(
            info, errors, input.to_command(errors), lambda c: reviews.edit(c, customer_id)
        )
        return ReviewPayload.of(outcome)

    @strawberry.mutation(
        description="Delete your review (its author only); you may then write a new one.",
        permission_classes=CUSTOMER,
    )
    async def review_delete(
        self, info: Info[Context, None], input: ReviewDeleteInput
    ) -> ReviewDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        review_id = errors.id(input.review_id, "Review", "reviewId")
        reviews, customer_id = info.context.services.reviews, _customer(info)
        outcome = await run_use_case(
            info, errors, review_id, lambda r: reviews.delete(r, customer_id)
        )
        return ReviewDeletePayload.of(outcome)

    @strawberry.mutation(
        description=(
            "Staff: publish, flag or reject a review, with the reason (always) and the policy "
            "it breaks (to flag or reject); the decision is logged. There is no policy for a "
            "low rating or a critical opinion: those reviews stay shown."
        ),
        permission_classes=ADMIN,
    )
    async def review_moderate(
        self, info: Info[Context, None], input: ReviewModerateInput
    ) -> ReviewPayload:
        errors = InputErrors(Code.INVALID_ID)
        reviews, actor = info.context.services.reviews, _actor(info.context.principal)
        outcome = await run_use_case(
            info, errors, input.to_command(errors), lambda c: reviews.moderate(c, actor)
        )
        return ReviewPayload.of(outcome)

    @strawberry.mutation(
        description="Staff: answer a review publicly (a new answer replaces the last).",
        permission_classes=ADMIN,
    )
    async def review_reply(
        self, info: Info[Context, None], input: ReviewReplyInput
    ) -> ReviewPayload:
        errors = InputErrors(Code.INVALID_ID)
        reviews = info.context.services.reviews
        outcome = await run_use_case(info, errors, input.to_command(errors), reviews.reply)
        return ReviewPayload.of(outcome)

    @strawberry.mutation(
        description=(
            "Mark a shown review helpful: once per shopper, a logged-in customer or a "
            "visitor token; not for your own review."
        )
    )
    async def review_vote_helpful(
        self, info: Info[Context, None], input: ReviewVoteHelpfulInput
    ) -> ReviewPayload:
        errors = InputErrors(Code.INVALID_ID)
        reviews = info.context.services.reviews
        customer_id = info.context.principal.customer_id
        outcome = await run_use_case(
            info, errors, input.to_command(errors), lambda c: reviews.vote_helpful(c, customer_id)
        )
        return ReviewPayload.of(outcome)

    @strawberry.mutation(
        description=(
            "Rate a paid order's delivery and the service, with a comment, once: the "
            "customer who placed it (bearer token) or a guest with its access token."
        )
    )
    async def order_feedback_submit(
        self, info: Info[Context, None], input: OrderFeedbackSubmitInput
    ) -> OrderFeedbackSubmitPayload:
        errors = InputErrors(Code.ORDER_NOT_FOUND)
        reviews = info.context.services.reviews
        customer_id = info.context.principal.customer_id
        outcome = await run_use_case(
            info,
            errors,
            input.to_command(errors),
            lambda c: reviews.submit_feedback(c, customer_id),
        )
        return OrderFeedbackSubmitPayload.of(outcome)
