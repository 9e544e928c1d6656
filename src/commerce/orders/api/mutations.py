"""Staff order actions: cancel an unpaid order, fulfil a paid one, refund. Admin only."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.money import MoneyInput, money_or_problem
from commerce.graphql.permissions import IsAdmin
from commerce.ids import is_id
from commerce.money import Money
from commerce.orders.api.types import OrderType, OrderUserError
from commerce.orders.errors import OrderErrorCode as Code
from commerce.orders.model import Order, Tracking
from commerce.problems import Problem, Rejected

ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.input(description="An unpaid order to cancel; its stock goes back.")
class OrderCancelInput:
    id: strawberry.ID = strawberry.field(description="The Order.")
    reason: str = strawberry.field(description="Why, kept in the order's history.")


@strawberry.input(description="How the parcel is followed.")
class TrackingInput:
    carrier: str = strawberry.field(description='The carrier, e.g. "Royal Mail".')
    number: str = strawberry.field(description="The carrier's tracking number.")
    url: str | None = strawberry.field(default=None, description="A https:// tracking page.")


@strawberry.input(description="A paid order that was shipped.")
class OrderFulfillInput:
    id: strawberry.ID = strawberry.field(description="The Order.")
    tracking: TrackingInput = strawberry.field(description="How the parcel is followed.")


@strawberry.input(description="A refund of a paid order through Stripe.")
class OrderRefundInput:
    id: strawberry.ID = strawberry.field(description="The Order.")
    amount: MoneyInput | None = strawberry.field(
        default=None, description="How much; everything still refundable when left out."
    )
    reason: str = strawberry.field(description="Why, kept in the order's history.")


@strawberry.type(description="The result of a staff order action.")
class OrderPayload:
    order: OrderType | None = strawberry.field(description="The order as it is now.")
    user_errors: list[OrderUserError] = strawberry.field(description="Why it did not work.")


def _refused(problems: tuple[Problem, ...] | list[Problem]) -> OrderPayload:
    return OrderPayload(order=None, user_errors=[OrderUserError.from_problem(p) for p in problems])


def _actor(ctx: Context) -> str:
    return f"{ctx.principal.kind.value}:{ctx.principal.id or '-'}"


async def _act(
    info: Info[Context, None],
    global_id: str,
    problems: list[Problem],
    work: Callable[[str], Order],
) -> OrderPayload:
    local = local_id_or_none(global_id, "Order")
    if local is None or not is_id(local):
        problems.insert(0, Problem(Code.INVALID_ID, "Not a valid Order ID", ("id",)))
    if problems:
        return _refused(problems)
    assert local is not None
    try:
        order = await info.context.run(work, local)
    except Rejected as rejected:
        return _refused(rejected.problems)
    return OrderPayload(order=OrderType.from_domain(order), user_errors=[])


@strawberry.type
class OrderMutation:
    @strawberry.mutation(
        description="Cancel an unpaid order: stock released, payment cancelled (admin).",
        permission_classes=ADMIN,
    )
    async def order_cancel(
        self, info: Info[Context, None], input: OrderCancelInput
    ) -> OrderPayload:
        orders, actor = info.context.services.orders, _actor(info.context)
        return await _act(
            info, input.id, [], lambda oid: orders.cancel(oid, reason=input.reason, actor=actor)
        )

    @strawberry.mutation(
        description="Mark a paid order shipped, with tracking (admin).", permission_classes=ADMIN
    )
    async def order_fulfill(
        self, info: Info[Context, None], input: OrderFulfillInput
    ) -> OrderPayload:
        orders, actor = info.context.services.orders, _actor(info.context)
        given = input.tracking
        tracking = Tracking(
            carrier=given.carrier.strip(),
            number=given.number.strip(),
            url=None if given.url is None or not given.url.strip() else given.url.strip(),
        )
        return await _act(
            info, input.id, [], lambda oid: orders.fulfill(oid, tracking=tracking, actor=actor)
        )

    @strawberry.mutation(
        description=(
            "Refund a paid order through Stripe (admin). Pending until Stripe confirms; "
            "more than is left to refund is refused."
        ),
        permission_classes=ADMIN,
    )
    async def order_refund(
        self, info: Info[Context, None], input: OrderRefundInput
    ) -> OrderPayload:
        orders, actor = info.context.services.orders, _actor(info.context)
        problems: list[Problem] = []
        amount: Money | None = None
        if input.amount is not None:
            amount = money_or_problem(input.amount, ("amount",), problems, Code.INVALID_AMOUNT)
        return await _act(
            info,
            input.id,
            problems,
            lambda oid: orders.refund(oid, amount=amount, reason=input.reason, actor=actor),
        )
