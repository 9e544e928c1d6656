"""Shopper changes to carts. No credentials needed: the cart id is the capability.

Each takes one ``input`` and returns the cart as it is now with ``userErrors``; a
refused change writes nothing and returns no cart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.types import Info

from commerce.cart.api import inputs
from commerce.cart.api.inputs import (
    CartBuyerIdentityUpdateInput,
    CartCreateInput,
    CartCurrencyUpdateInput,
    CartDeliveryOptionSelectInput,
    CartLinesAddInput,
    CartLinesRemoveInput,
    CartLinesUpdateInput,
    CartShippingAddressUpdateInput,
)
from commerce.cart.api.types import Cart, CartUserError
from commerce.cart.model import PricedCart
from commerce.graphql.context import Context
from commerce.problems import Problem, Rejected


@strawberry.type(description="The result of creating or changing a cart.")
class CartPayload:
    cart: Cart | None = strawberry.field(description="The cart as it is now, when it worked.")
    user_errors: list[CartUserError] = strawberry.field(description="Why it did not work.")


def _refusal(problems: Sequence[Problem]) -> CartPayload:
    return CartPayload(cart=None, user_errors=[CartUserError.from_problem(p) for p in problems])


async def _cart_change(info: Info[Context, None], work: Callable[[], PricedCart]) -> CartPayload:
    """Run a change in a worker thread; the cart as it is now, or why it was refused."""
    try:
        priced = await info.context.run(work)
    except Rejected as rejected:
        return _refusal(rejected.problems)
    return CartPayload(cart=Cart.from_domain(priced), user_errors=[])


@strawberry.type
class CartMutation:
    @strawberry.mutation(description="Create a cart, optionally with lines and a buyer.")
    async def cart_create(self, info: Info[Context, None], input: CartCreateInput) -> CartPayload:
        problems: list[Problem] = []
        lines = inputs.line_requests(input.lines, problems)
        identity = None if input.buyer_identity is None else input.buyer_identity.to_domain()
        carts = info.context.services.cart
        return await _cart_change(
            info,
            lambda: carts.create(
                currency=input.currency,
                lines=lines,
                buyer_identity=identity,
                input_problems=problems,
            ),
        )

    @strawberry.mutation(
        description="Add variants; a variant already in the cart has its quantity raised."
    )
    async def cart_lines_add(
        self, info: Info[Context, None], input: CartLinesAddInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        if problems:
            return _refusal(problems)
        lines = inputs.line_requests(input.lines, problems)
        carts = info.context.services.cart
        return await _cart_change(info, lambda: carts.add_lines(token, lines, problems))

    @strawberry.mutation(description="Change line quantities; a quantity of 0 removes the line.")
    async def cart_lines_update(
        self, info: Info[Context, None], input: CartLinesUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        if problems:
            return _refusal(problems)
        quantities = [
            (inputs.line_id(line.id, ("lines", str(i), "id"), problems), line.quantity)
            for i, line in enumerate(input.lines)
        ]
        carts = info.context.services.cart
        return await _cart_change(info, lambda: carts.update_lines(token, quantities, problems))

    @strawberry.mutation(description="Take lines out of the cart.")
    async def cart_lines_remove(
        self, info: Info[Context, None], input: CartLinesRemoveInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        if problems:
            return _refusal(problems)
        line_ids = [
            inputs.line_id(line_id, ("lineIds", str(i)), problems)
            for i, line_id in enumerate(input.line_ids)
        ]
        carts = info.context.services.cart
        return await _cart_change(info, lambda: carts.remove_lines(token, line_ids, problems))

    @strawberry.mutation(description="Set who is buying: email, phone and marketing consent.")
    async def cart_buyer_identity_update(
        self, info: Info[Context, None], input: CartBuyerIdentityUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        identity = input.buyer_identity.to_domain()
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        return await _cart_change(info, lambda: carts.update_buyer_identity(token, identity))

    @strawberry.mutation(description="Set where the cart's physical goods will be shipped.")
    async def cart_shipping_address_update(
        self, info: Info[Context, None], input: CartShippingAddressUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        address = input.address.to_domain()
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        return await _cart_change(info, lambda: carts.update_shipping_address(token, address))

    @strawberry.mutation(description="Price the cart in another currency.")
    async def cart_currency_update(
        self, info: Info[Context, None], input: CartCurrencyUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        return await _cart_change(info, lambda: carts.update_currency(token, input.currency))

    @strawberry.mutation(
        description=(
            "Choose how the cart is shipped: one of its deliveryOptions. The choice is kept "
            "and checked again on every read."
        )
    )
    async def cart_delivery_option_select(
        self, info: Info[Context, None], input: CartDeliveryOptionSelectInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        option_id = inputs.delivery_option_id(input.delivery_option_id, problems)
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        return await _cart_change(info, lambda: carts.select_delivery_option(token, option_id))
