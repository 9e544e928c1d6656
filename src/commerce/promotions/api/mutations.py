"""Staff changes to promotions and discount codes. Every mutation needs the admin scope.

Each takes one ``input`` and returns a payload with the result and ``userErrors``; a
refused change writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.pricing import model
from commerce.promotions.api.inputs import (
    PromotionDeleteInput,
    PromotionInput,
    PromotionUpdateInput,
)
from commerce.promotions.api.types import (
    DiscountCode,
    Promotion,
    PromotionUserError,
    promotion_global_id,
)
from commerce.promotions.errors import PromotionErrorCode as Code


@strawberry.type(description="The result of creating or changing a promotion.")
class PromotionPayload:
    promotion: Promotion | None = strawberry.field(description="The promotion, when it worked.")
    user_errors: list[PromotionUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.Promotion]) -> PromotionPayload:
        return cls(
            promotion=outcome.map(Promotion.from_domain),
            user_errors=PromotionUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting a promotion.")
class PromotionDeletePayload:
    deleted_promotion_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    user_errors: list[PromotionUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[str]) -> PromotionDeletePayload:
        return cls(
            deleted_promotion_id=outcome.map(lambda i: strawberry.ID(promotion_global_id(i))),
            user_errors=PromotionUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of creating discount codes.")
class DiscountCodesPayload:
    discount_codes: list[DiscountCode] = strawberry.field(description="The codes created.")
    user_errors: list[PromotionUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[list[model.DiscountCode]]) -> DiscountCodesPayload:
        return cls(
            discount_codes=[DiscountCode.from_domain(c) for c in outcome.value or []],
            user_errors=PromotionUserError.list_of(outcome.problems),
        )


@dataclass(frozen=True, slots=True)
class CreateCode:
    """One shared code for a promotion, with its limits."""

    promotion_id: str
    code: str
    usage_limit: int | None
    per_customer_limit: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    customer_id: str | None


@dataclass(frozen=True, slots=True)
class GenerateCodes:
    """A batch of unique random codes for a promotion."""

    promotion_id: str
    count: int
    prefix: str
    usage_limit: int | None
    per_customer_limit: int | None


@strawberry.input(description="One shared discount code for a promotion.")
class DiscountCodeCreateInput:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion it unlocks.")
    code: str = strawberry.field(description="3 to 32 letters, digits, - or _; stored upper-case.")
    usage_limit: int | None = strawberry.field(default=None, description="Uses in all.")
    per_customer_limit: int | None = strawberry.field(default=None, description="Uses each.")
    starts_at: datetime | None = strawberry.field(default=None, description="Valid from.")
    ends_at: datetime | None = strawberry.field(default=None, description="Valid until.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "A personal offer: only this signed-in customer may apply the code; anyone "
            "else is refused with NOT_YOUR_CODE. Give it a usageLimit of 1 to make it "
            "single-use."
        ),
    )

    def to_command(self, errors: InputErrors) -> CreateCode | None:
        promotion_id = errors.id(self.promotion_id, "Promotion", "promotionId")
        customer_id = errors.optional_id(self.customer_id, "Customer", "customerId")
        if promotion_id is None or errors:
            return None
        return CreateCode(
            promotion_id,
            self.code,
            self.usage_limit,
            self.per_customer_limit,
            self.starts_at,
            self.ends_at,
            customer_id,
        )


@strawberry.input(description="A batch of unique random codes for a promotion.")
class DiscountCodesGenerateInput:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion they unlock.")
    count: int = strawberry.field(description="How many (1 to 1000).")
    prefix: str = strawberry.field(default="", description="Put before each code, e.g. 'VIP-'.")
    usage_limit: int | None = strawberry.field(default=1, description="Uses of each code.")
    per_customer_limit: int | None = strawberry.field(default=None, description="Uses each.")

    def to_command(self, errors: InputErrors) -> GenerateCodes | None:
        promotion_id = errors.id(self.promotion_id, "Promotion", "promotionId")
        if promotion_id is None:
            return None
        return GenerateCodes(
            promotion_id, self.count, self.prefix, self.usage_limit, self.per_customer_limit
        )


@strawberry.type
class PromotionsMutation:
    @strawberry.mutation(description="Create a promotion.", permission_classes=ADMIN)
    async def promotion_create(
        self, info: Info[Context, None], input: PromotionInput
    ) -> PromotionPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        promotions = info.context.services.promotions
        return PromotionPayload.of(
            await run_use_case(info, errors, command, promotions.create_promotion)
        )

    @strawberry.mutation(
        description="Replace a promotion's definition as a whole.", permission_classes=ADMIN
    )
    async def promotion_update(
        self, info: Info[Context, None], input: PromotionUpdateInput
    ) -> PromotionPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        promotions = info.context.services.promotions
        return PromotionPayload.of(
            await run_use_case(info, errors, command, promotions.update_promotion)
        )

    @strawberry.mutation(
        description="Delete a promotion; its codes are refused from then on.",
        permission_classes=ADMIN,
    )
    async def promotion_delete(
        self, info: Info[Context, None], input: PromotionDeleteInput
    ) -> PromotionDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        promotions = info.context.services.promotions
        return PromotionDeletePayload.of(
            await run_use_case(info, errors, command, promotions.delete_promotion)
        )

    @strawberry.mutation(
        description="Give a promotion one shared discount code.", permission_classes=ADMIN
    )
    async def discount_code_create(
        self, info: Info[Context, None], input: DiscountCodeCreateInput
    ) -> DiscountCodesPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        promotions = info.context.services.promotions
        return DiscountCodesPayload.of(
            await run_use_case(
                info,
                errors,
                command,
                lambda c: [
                    promotions.create_code(
                        c.promotion_id,
                        c.code,
                        usage_limit=c.usage_limit,
                        per_customer_limit=c.per_customer_limit,
                        starts_at=c.starts_at,
                        ends_at=c.ends_at,
                        customer_id=c.customer_id,
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
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        promotions = info.context.services.promotions
        return DiscountCodesPayload.of(
            await run_use_case(
                info,
                errors,
                command,
                lambda c: promotions.generate_codes(
                    c.promotion_id,
                    c.count,
                    prefix=c.prefix,
                    usage_limit=c.usage_limit,
                    per_customer_limit=c.per_customer_limit,
                ),
            )
        )
