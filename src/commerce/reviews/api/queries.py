"""Staff's reads: reviews by moderation state and order feedback; ``node`` for reviews."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.catalog.api.reviewed import (
    ReviewConnection,
    ReviewStateType,
    ReviewType,
    check_first,
    review_connection,
)
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.permissions import ADMIN
from commerce.graphql.relay import Node
from commerce.reviews.api.types import OrderFeedbackConnection
from commerce.reviews.model import ReviewState


@strawberry.input(description="Which reviews staff want to read.")
class ReviewFilter:
    state: ReviewStateType = strawberry.field(description="Reviews in this state.")


def _bad_cursor() -> BadUserInput:
    return BadUserInput(
        "after is not a cursor of this list", reason="INVALID_CURSOR", argument="after"
    )


@strawberry.type
class ReviewsQuery:
    @strawberry.field(
        description="Staff: reviews in one moderation state, newest first.",
        permission_classes=ADMIN,
    )
    async def reviews(
        self,
        info: Info[Context, None],
        filter: ReviewFilter,
        first: Annotated[int, strawberry.argument(description="Page size (1 to 50).")] = 20,
        after: Annotated[str | None, strawberry.argument(description="endCursor.")] = None,
    ) -> ReviewConnection:
        check_first(first)
        reviews = info.context.services.reviews
        state = ReviewState(filter.state.value)
        try:
            page = await info.context.run(reviews.reviews_in_state, state, first, after)
        except ValueError:
            raise _bad_cursor() from None
        return review_connection(page)

    @strawberry.field(
        description="Staff: buyers' feedback on orders (delivery, service), newest first.",
        permission_classes=ADMIN,
    )
    async def order_feedback(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="Page size (1 to 50).")] = 20,
        after: Annotated[str | None, strawberry.argument(description="endCursor.")] = None,
    ) -> OrderFeedbackConnection:
        check_first(first)
        reviews = info.context.services.reviews
        try:
            rows, more = await info.context.run(reviews.feedback, first, after)
        except ValueError:
            raise _bad_cursor() from None
        return OrderFeedbackConnection.of_rows(rows, more)


async def review_node(info: Info[Context, None], review_id: str) -> Node | None:
    """A shown review for anyone; a rejected one for staff only."""
    reviews = info.context.services.reviews
    include_hidden = info.context.principal.is_admin
    found = await info.context.run(lambda: reviews.review(review_id, include_hidden=include_hidden))
    return None if found is None else ReviewType.from_domain(found)
