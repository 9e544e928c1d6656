"""Reading orders: a guest with the order's token, the customer who placed it, or staff."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.graphql.permissions import ADMIN
from commerce.graphql.relay import Node
from commerce.ids import is_id
from commerce.orders import model
from commerce.orders.api.types import OrderConnection, OrderStatus, OrderType, order_connection
from commerce.orders.service import OrdersService

MAX_ORDERS_PAGE = 100


def page_arguments(orders: OrdersService, first: int, after: str | None) -> str | None:
    """The position ``after`` names; ``BadUserInput`` for a page size or cursor out of bounds."""
    if not 1 <= first <= MAX_ORDERS_PAGE:
        raise BadUserInput(f"first must be 1 to {MAX_ORDERS_PAGE}", argument="first")
    position = None if after is None else orders.decode_cursor(after)
    if after is not None and position is None:
        raise BadUserInput("Not a valid cursor", argument="after")
    return position


@strawberry.input(description="Conditions on the orders staff list; every one given must hold.")
class OrderFilter:
    status: OrderStatus | None = strawberry.field(default=None, description="Only this status.")
    created_from: datetime | None = strawberry.field(
        default=None, description="Placed at or after this time."
    )
    created_to: datetime | None = strawberry.field(
        default=None, description="Placed at or before this time."
    )


def order_local_id(global_id: str) -> str:
    """The order id inside an Order id; BAD_USER_INPUT when it is not one."""
    local = from_global_id(global_id, "Order")
    if not is_id(local):
        raise BadUserInput(f"{global_id!r} is not a valid Order ID", argument="id")
    return local


async def readable_order(
    info: Info[Context, None], order_id: str, access_token: str | None
) -> OrderType | None:
    """The order if the caller may read it: staff any, a customer their own, a guest with
    its access token; None as if unknown otherwise."""
    ctx = info.context
    principal, orders = ctx.principal, ctx.services.orders
    if principal.is_admin:
        found = await ctx.run(orders.order, order_id)
    else:
        customer = principal.customer_id
        found = await ctx.run(
            lambda: orders.order_for(order_id, access_token=access_token, customer_id=customer)
        )
    return None if found is None else OrderType.from_domain(found)


async def order_node(info: Info[Context, None], order_id: str) -> Node | None:
    """``node(id)`` for an Order: ``order(id)``'s rule without an access token (its
    customer or staff, else null)."""
    if not is_id(order_id):
        raise BadUserInput(
            f"{to_global_id('Order', order_id)!r} is not a valid Order ID", argument="id"
        )
    return await readable_order(info, order_id, None)


@strawberry.type
class OrderQuery:
    @strawberry.field(
        description=(
            "An order by id. Staff read any order; a signed-in customer reads their own; a "
            "guest gives the accessToken checkoutComplete returned. Null when there is no "
            "such order or the caller may not read it."
        )
    )
    async def order(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        access_token: Annotated[
            str | None, strawberry.argument(description="The guest's order access token.")
        ] = None,
    ) -> OrderType | None:
        return await readable_order(info, order_local_id(id), access_token)

    @strawberry.field(
        description="Every order, newest first, filtered (admin).", permission_classes=ADMIN
    )
    async def orders(
        self,
        info: Info[Context, None],
        filter: OrderFilter | None = None,
        first: Annotated[
            int, strawberry.argument(description=f"Orders per page, 1 to {MAX_ORDERS_PAGE}.")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> OrderConnection:
        orders = info.context.services.orders
        position = page_arguments(orders, first, after)
        given = filter or OrderFilter()
        where = model.OrderFilter(
            status=given.status, created_from=given.created_from, created_to=given.created_to
        )
        page = await info.context.run(orders.orders, where, first, position)
        return order_connection(page)
