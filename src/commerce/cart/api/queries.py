"""Reading a cart by its id (the token is the capability), as a root field and as a node."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.cart.api.types import Cart, cart_global_id
from commerce.cart.errors import CartErrorCode
from commerce.cart.model import is_cart_token
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput, ClientError
from commerce.graphql.ids import from_global_id
from commerce.graphql.permissions import CHECKOUT, HasCheckoutScope
from commerce.graphql.relay import Node, NodeType
from commerce.problems import Rejected


class CartExpired(ClientError):
    """The cart sat idle past its expiry; the shopper starts a new one."""

    code = CartErrorCode.CART_EXPIRED.value


async def cart_by_token(info: Info[Context, None], token: str) -> Cart | None:
    """The cart priced now for the caller; None when unknown or another customer's.

    BAD_USER_INPUT when ``token`` has not a token's shape; CART_EXPIRED when expired.
    """
    if not is_cart_token(token):
        raise BadUserInput(f"{cart_global_id(token)!r} is not a valid Cart ID", argument="id")
    try:
        priced = await info.context.run(
            info.context.services.cart.cart, token, info.context.shopper
        )
    except Rejected as rejected:
        raise CartExpired(rejected.problems[0].message) from None
    return None if priced is None else Cart.from_domain(priced)


@strawberry.type
class CartQuery:
    @strawberry.field(
        description=(
            "A cart by id, priced from the catalog now; null when there is no such cart "
            "or it belongs to another customer. "
            'An expired cart answers an error with extensions.code "CART_EXPIRED".'
        ),
        permission_classes=CHECKOUT,
    )
    async def cart(self, info: Info[Context, None], id: strawberry.ID) -> Cart | None:
        return await cart_by_token(info, from_global_id(id, "Cart"))


async def _cart_node(info: Info[Context, None], token: str) -> Node | None:
    """``node(id)`` for a Cart id: the ``cart`` root field's permission and answer."""
    HasCheckoutScope().has_permission(None, info)
    return await cart_by_token(info, token)


NODES: list[NodeType] = [NodeType("Cart", _cart_node)]
