"""Staff order actions: cancel an unpaid order, fulfil a paid one, refund. Admin only.

Each takes one ``input`` and returns the order as it is now, or ``userErrors``.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.money import MoneyInput
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.ids import is_id
from commerce.orders import model
from commerce.orders.api.types import OrderType, OrderUserError
from commerce.orders.commands import CancelOrder, FulfillOrder, RefundOrder
from commerce.orders.errors import OrderErrorCode as Code
from commerce.principals import Principal


def _order_id(errors: InputErrors, global_id: str) -> str | None:
    """The order id inside an Order id; None, recorded, when it is not one."""
    local = errors.id(global_id, "Order", "id")
    if local is not None and not is_id(local):
        errors.add(Code.INVALID_ID, "Not a valid Order ID", "id")
        return None
    return local


@strawberry.input(description="An unpaid order to cancel; its stock goes back.")
class OrderCancelInput:
    id: strawberry.ID = strawberry.field(description="The Order.")
    reason: str = strawberry.field(description="Why, kept in the order's history.")

    def to_command(self, errors: InputErrors) -> CancelOrder | None:
        order_id = _order_id(errors, self.id)
        return None if order_id is None else CancelOrder(order_id, self.reason)


@strawberry.input(description="How the parcel is followed.")
class TrackingInput:
    carrier: str = strawberry.field(description='The carrier, e.g. "Royal Mail".')
    number: str = strawberry.field(description="The carrier's tracking number.")
    url: str | None = strawberry.field(default=None, description="A https:// tracking page.")

    def to_domain(self) -> model.Tracking:
        """The tracking trimmed; a blank url is none."""
        url = None if self.url is None or not self.url.strip() else self.url.strip()
        return model.Tracking(carrier=self.carrier.strip(), number=self.number.strip(), url=url)


@strawberry.input(description="A paid order that was shipped.")
class OrderFulfillInput:
    id: strawberry.ID = strawberry.field(description="The Order.")
    tracking: TrackingInput = strawberry.field(description="How the parcel is followed.")

    def to_command(self, errors: InputErrors) -> FulfillOrder | None:
        order_id = _order_id(errors, self.id)
        return None if order_id is None else FulfillOrder(order_id, self.tracking.to_domain())


@strawberry.input(description="A refund of a paid order through Stripe.")
class OrderRefundInput:
    id: strawberry.ID = strawberry.field(description="The Order.")
    amount: MoneyInput | None = strawberry.field(
        default=None, description="How much; everything still refundable when left out."
    )
    reason: str = strawberry.field(description="Why, kept in the order's history.")

    def to_command(self, errors: InputErrors) -> RefundOrder | None:
        order_id = _order_id(errors, self.id)
        amount = (
            None
            if self.amount is None
            else errors.money(self.amount, "amount", Code.INVALID_AMOUNT)
        )
        if order_id is None or errors:
            return None
        return RefundOrder(order_id, amount, self.reason)


@strawberry.type(description="The result of a staff order action.")
class OrderPayload:
    order: OrderType | None = strawberry.field(description="The order as it is now.")
    user_errors: list[OrderUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[model.Order]) -> OrderPayload:
        return cls(
            order=outcome.map(OrderType.from_domain),
            user_errors=OrderUserError.list_of(outcome.problems),
        )


def _actor(principal: Principal) -> str:
    """Who acted, as the order's history records it."""
    return f"{principal.kind.value}:{principal.id or '-'}"


@strawberry.type
class OrderMutation:
    @strawberry.mutation(
        description="Cancel an unpaid order: stock released, payment cancelled (admin).",
        permission_classes=ADMIN,
    )
    async def order_cancel(
        self, info: Info[Context, None], input: OrderCancelInput
    ) -> OrderPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        orders, actor = info.context.services.orders, _actor(info.context.principal)
        return OrderPayload.of(
            await run_use_case(info, errors, command, lambda c: orders.cancel(c, actor=actor))
        )

    @strawberry.mutation(
        description="Mark a paid order shipped, with tracking (admin).", permission_classes=ADMIN
    )
    async def order_fulfill(
        self, info: Info[Context, None], input: OrderFulfillInput
    ) -> OrderPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        orders, actor = info.context.services.orders, _actor(info.context.principal)
        return OrderPayload.of(
            await run_use_case(info, errors, command, lambda c: orders.fulfill(c, actor=actor))
        )

    @strawberry.mutation(
        description=(
            "Refund a paid order through Stripe (admin). Counted as refunded as soon as "
            "Stripe answers it succeeded, pending otherwise until Stripe confirms; more "
            "than is left to refund is refused."
        ),
        permission_classes=ADMIN,
    )
    async def order_refund(
        self, info: Info[Context, None], input: OrderRefundInput
    ) -> OrderPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        # Through the settlement: a full refund also ends the order's download links.
        orders, actor = info.context.services.settlement, _actor(info.context.principal)
        return OrderPayload.of(
            await run_use_case(info, errors, command, lambda c: orders.refund(c, actor=actor))
        )
