"""Staff changes to promotions and discount codes. Every mutation needs the admin scope.

Each returns a payload with the result and ``userErrors``; a refused change writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_problem
from commerce.graphql.permissions import IsAdmin
from commerce.pricing import model
from commerce.problems import Problem, Rejected
from commerce.promotions.api.inputs import PromotionInput, promotion_from_input
from commerce.promotions.api.types import (
    DiscountCode,
    Promotion,
    PromotionUserError,
    promotion_global_id,
)
from commerce.promotions.errors import PromotionErrorCode as Code

T = TypeVar("T")
ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.type(description="The result of creating or changing a promotion.")
class PromotionPayload:
    promotion: Promotion | None = strawberry.field(description="The promotion, when it worked.")
    user_errors: list[PromotionUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of deleting a promotion.")
class PromotionDeletePayload:
    deleted_promotion_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[PromotionUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="The result of creating discount codes.")
class DiscountCodesPayload:
    discount_codes: list[DiscountCode] = strawberry.field(description="The codes created.")
    user_errors: list[PromotionUserError] = strawberry.field(description="Why it did not work.")


@strawberry.input(description="One shared discount code for a promotion.")
class DiscountCodeCreateInput:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion it unlocks.")
    code: str = strawberry.field(description="3 to 32 letters, digits, - or _; stored upper-case.")
    usage_limit: int | None = strawberry.field(default=None, description="Uses in all.")
    per_customer_limit: int | None = strawberry.field(default=None, description="Uses each.")
    starts_at: datetime | None = strawberry.field(default=None, description="Valid from.")
    ends_at: datetime | None = strawberry.field(default=None, description="Valid until.")


@strawberry.input(description="A batch of unique random codes for a promotion.")
class DiscountCodesGenerateInput:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion they unlock.")
    count: int = strawberry.field(description="How many (1 to 1000).")
    prefix: str = strawberry.field(default="", description="Put before each code, e.g. 'VIP-'.")
    usage_limit: int | None = strawberry.field(default=1, description="Uses of each code.")
    per_customer_limit: int | None = strawberry.field(default=None, description="Uses each.")


async def _attempt(
    info: Info[Context, None], problems: list[Problem], work: Callable[[], T]
) -> T | list[PromotionUserError]:
    """Run ``work`` unless the input was refused already; its result, or the userErrors."""
    try:
        if problems:
            raise Rejected(problems)
        return await info.context.run(work)
    except Rejected as rejected:
        return [PromotionUserError.from_problem(p) for p in rejected.problems]


def _local(global_id: str, field: str, problems: list[Problem]) -> str:
    return local_id_or_problem(global_id, "Promotion", (field,), problems, Code.INVALID_ID)


def _promotion_payload(
    result: model.Promotion | list[PromotionUserError],
) -> PromotionPayload:
    if isinstance(result, list):
        return PromotionPayload(promotion=None, user_errors=result)
    return PromotionPayload(promotion=Promotion.from_domain(result), user_errors=[])


def _codes_payload(
    result: list[model.DiscountCode] | list[PromotionUserError],
) -> DiscountCodesPayload:
    errors = [r for r in result if isinstance(r, PromotionUserError)]
    if errors:
        return DiscountCodesPayload(discount_codes=[], user_errors=errors)
    codes = [DiscountCode.from_domain(c) for c in result if isinstance(c, model.DiscountCode)]
    return DiscountCodesPayload(discount_codes=codes, user_errors=[])


@strawberry.type
class PromotionsMutation:
    @strawberry.mutation(description="Create a promotion.", permission_classes=ADMIN)
    async def promotion_create(
        self, info: Info[Context, None], input: PromotionInput
    ) -> PromotionPayload:
        promotion, problems = promotion_from_input(input, "")
        service = info.context.services.promotions
        return _promotion_payload(
            await _attempt(info, problems, lambda: service.create_promotion(promotion))
        )

    @strawberry.mutation(
        description="Replace a promotion's definition as a whole.", permission_classes=ADMIN
    )
    async def promotion_update(
        self, info: Info[Context, None], id: strawberry.ID, input: PromotionInput
    ) -> PromotionPayload:
        problems: list[Problem] = []
        local = _local(id, "id", problems)
        promotion, more = promotion_from_input(input, local)
        service = info.context.services.promotions
        return _promotion_payload(
            await _attempt(info, problems + more, lambda: service.update_promotion(promotion))
        )

    @strawberry.mutation(
        description="Delete a promotion; its codes are refused from then on.",
        permission_classes=ADMIN,
    )
    async def promotion_delete(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> PromotionDeletePayload:
        problems: list[Problem] = []
        local = _local(id, "id", problems)
        service = info.context.services.promotions
        result = await _attempt(info, problems, lambda: service.delete_promotion(local))
        if isinstance(result, list):
            return PromotionDeletePayload(deleted_promotion_id=None, user_errors=result)
        return PromotionDeletePayload(
            deleted_promotion_id=strawberry.ID(promotion_global_id(local)), user_errors=[]
        )

    @strawberry.mutation(
        description="Give a promotion one shared discount code.", permission_classes=ADMIN
    )
    async def discount_code_create(
        self, info: Info[Context, None], input: DiscountCodeCreateInput
    ) -> DiscountCodesPayload:
        problems: list[Problem] = []
        local = _local(input.promotion_id, "promotionId", problems)
        service = info.context.services.promotions
        return _codes_payload(
            await _attempt(
                info,
                problems,
                lambda: [
                    service.create_code(
                        local,
                        input.code,
                        usage_limit=input.usage_limit,
                        per_customer_limit=input.per_customer_limit,
                        starts_at=input.starts_at,
                        ends_at=input.ends_at,
                    )
                ],
            )
        )

    @strawberry.mutation(
        description="Generate a batch of unique random codes for a promotion.",
        permission_classes=ADMIN,
    )
    async def discount_codes_generate(
        self, info: Info[Context, None], input: DiscountCodesGenerateInput
    ) -> DiscountCodesPayload:
        problems: list[Problem] = []
        local = _local(input.promotion_id, "promotionId", problems)
        service = info.context.services.promotions
        return _codes_payload(
            await _attempt(
                info,
                problems,
                lambda: service.generate_codes(
                    local,
                    input.count,
                    prefix=input.prefix,
                    usage_limit=input.usage_limit,
                    per_customer_limit=input.per_customer_limit,
                ),
            )
        )
