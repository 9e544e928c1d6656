"""``recommendations``: the caller's own list, from their history, cart and views.

The product page's lists are ``Product.recommendations`` (catalog/api/recommended.py),
whose item types this query shares.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from commerce.cart.model import is_cart_token
from commerce.catalog.api.recommended import (
    MAX_RECOMMENDATIONS,
    ProductRecommendationConnection,
    check_first,
    recommendation_connection,
)
from commerce.graphql.context import Context
from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import from_global_id
from commerce.graphql.money import CurrencyCode
from commerce.graphql.relay import NodeType
from commerce.principals import Scope


@strawberry.type
class RecommendationsQuery:
    @strawberry.field(
        description=(
            "Recommendations for the caller, best first, each with its reason: for a "
            "signed-in customer from what they bought (next volumes of their series, "
            "authors they read, what is bought with their books), with `cartId` from the "
            "cart's lines too; new shoppers get the best sellers of their country, then of "
            "the store. E-books and other one-offs already owned never come back. "
            "Another customer's cart counts as no cart. With `visitorToken` (the token "
            "`eventsRecord` returns) an anonymous visitor's product views seed the list."
        )
    )
    async def recommendations(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="How many (1 to 20).")] = 10,
        currency: Annotated[
            CurrencyCode | None,
            strawberry.argument(
                description="Currency to price them in; the store's when left out."
            ),
        ] = None,
        cart_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The shopper's cart, whose lines say what they want now."
            ),
        ] = None,
        visitor_token: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "The visitor token the journeys mutations return: the products this "
                    "visitor viewed seed the list of a shopper who is not signed in."
                )
            ),
        ] = None,
    ) -> ProductRecommendationConnection:
        check_first(first, MAX_RECOMMENDATIONS)
        ctx = info.context
        visitor_id = None
        if visitor_token is not None:
            # Signed by journeys: an id a client made up would read another visitor's list.
            visitor_id = ctx.services.journeys.visitor_of(visitor_token)
            if visitor_id is None:
                raise BadUserInput(
                    "The visitor token is not one this store issued", argument="visitorToken"
                )
        token = None
        # A cart is read under the checkout scope, as the cart field reads it.
        if cart_id is not None and ctx.principal.has(Scope.CHECKOUT):
            token = from_global_id(cart_id, "Cart")
            if not is_cart_token(token):
                raise BadUserInput(f"{cart_id!r} is not a valid Cart ID", argument="cartId")
        priced_in = currency or ctx.default_currency
        found = await ctx.run(
            ctx.services.recommendations.for_shopper,
            ctx.shopper,
            first,
            priced_in,
            cart_token=token,
            visitor_id=visitor_id,
        )
        return await recommendation_connection(info, found, priced_in)


NODES: list[NodeType] = []
