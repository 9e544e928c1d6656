"""Shopper changes to carts. No credentials needed: the cart id is the capability.

Each takes one ``input`` and returns the cart as it is now with ``userErrors``; a
refused change writes nothing and returns no cart.
"""

from __future__ import annotations

from dataclasses import replace

import strawberry
from strawberry.types import Info

from commerce.cart.api.inputs import (
    CartBundleAddInput,
    CartBuyerIdentityUpdateInput,
    CartCreateInput,
    CartCurrencyUpdateInput,
    CartDeliveryOptionSelectInput,
    CartDiscountCodesUpdateInput,
    CartLinesAddInput,
    CartLinesRemoveInput,
    CartLinesUpdateInput,
    CartLoyaltyPointsApplyInput,
    CartShippingAddressUpdateInput,
)
from commerce.cart.api.types import Cart, CartUserError
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import PricedCart
from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import CHECKOUT, CUSTOMER
from commerce.graphql.use_cases import Outcome, run_use_case


@strawberry.type(description="The result of creating or changing a cart.")
class CartPayload:
    cart: Cart | None = strawberry.field(description="The cart as it is now, when it worked.")
    user_errors: list[CartUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[PricedCart]) -> CartPayload:
        return cls(
            cart=outcome.map(Cart.from_domain), user_errors=CartUserError.list_of(outcome.problems)
        )


@strawberry.type
class CartMutation:
    @strawberry.mutation(
        description="Create a cart, optionally with lines and a buyer.", permission_classes=CHECKOUT
    )
    async def cart_create(self, info: Info[Context, None], input: CartCreateInput) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        if input.visitor_token is not None:
            # Verified here, like checkout's: the cart keeps only the visitor id.
            visitor = info.context.services.journeys.visitor_of(input.visitor_token)
            if visitor is None:
                errors.add(Code.INVALID_ID, "Not a visitor token of this store", "visitorToken")
                command = None
            elif command is not None:
                command = replace(command, visitor_id=visitor)
        carts, shopper = info.context.services.cart, info.context.shopper
        partner = info.context.principal.partner_id
        return CartPayload.of(
            await run_use_case(
                info, errors, command, lambda c: carts.create(c, shopper, partner_id=partner)
            )
        )

    @strawberry.mutation(
        description="Add variants; a variant already in the cart has its quantity raised.",
        permission_classes=CHECKOUT,
    )
    async def cart_lines_add(
        self, info: Info[Context, None], input: CartLinesAddInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(info, errors, command, lambda c: carts.add_lines(c, shopper))
        )

    @strawberry.mutation(
        description="Change line quantities; a quantity of 0 removes the line.",
        permission_classes=CHECKOUT,
    )
    async def cart_lines_update(
        self, info: Info[Context, None], input: CartLinesUpdateInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(info, errors, command, lambda c: carts.update_lines(c, shopper))
        )

    @strawberry.mutation(description="Take lines out of the cart.", permission_classes=CHECKOUT)
    async def cart_lines_remove(
        self, info: Info[Context, None], input: CartLinesRemoveInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(info, errors, command, lambda c: carts.remove_lines(c, shopper))
        )

    @strawberry.mutation(
        description="Set who is buying: email, phone and marketing consent.",
        permission_classes=CHECKOUT,
    )
    async def cart_buyer_identity_update(
        self, info: Info[Context, None], input: CartBuyerIdentityUpdateInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(
                info, errors, command, lambda c: carts.update_buyer_identity(c, shopper)
            )
        )

    @strawberry.mutation(
        description="Set where the cart's physical goods will be shipped.",
        permission_classes=CHECKOUT,
    )
    async def cart_shipping_address_update(
        self, info: Info[Context, None], input: CartShippingAddressUpdateInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(
                info, errors, command, lambda c: carts.update_shipping_address(c, shopper)
            )
        )

    @strawberry.mutation(
        description="Price the cart in another currency.", permission_classes=CHECKOUT
    )
    async def cart_currency_update(
        self, info: Info[Context, None], input: CartCurrencyUpdateInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(info, errors, command, lambda c: carts.update_currency(c, shopper))
        )

    @strawberry.mutation(
        description=(
            "Choose how the cart is shipped: one of its deliveryOptions. The choice is kept "
            "and checked again on every read."
        ),
        permission_classes=CHECKOUT,
    )
    async def cart_delivery_option_select(
        self, info: Info[Context, None], input: CartDeliveryOptionSelectInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(
                info, errors, command, lambda c: carts.select_delivery_option(c, shopper)
            )
        )

    @strawberry.mutation(
        description=(
            "Set the cart's discount codes. Every code is kept, applied or not: the cart's "
            "discountCodes say which apply and why the others do not."
        ),
        permission_classes=CHECKOUT,
    )
    async def cart_discount_codes_update(
        self, info: Info[Context, None], input: CartDiscountCodesUpdateInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(
                info, errors, command, lambda c: carts.update_discount_codes(c, shopper)
            )
        )

    @strawberry.mutation(
        description=(
            "Spend some of the signed-in customer's loyalty points on their own cart: a "
            "discount on the goods after every promotion (never on shipping or tax), shown "
            "in orderDiscounts and loyaltyPoints. More points than the balance is refused "
            "(INSUFFICIENT_POINTS); checkout spends them and checks the balance again."
        ),
        permission_classes=CUSTOMER,
    )
    async def cart_loyalty_points_apply(
        self, info: Info[Context, None], input: CartLoyaltyPointsApplyInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(
                info, errors, command, lambda c: carts.apply_loyalty_points(c, shopper)
            )
        )

    @strawberry.mutation(
        description=(
            "Add one set of a bundle promotion's items in one step (quantities add to lines "
            "the cart already has). Each component adds the variant it names; a component "
            "naming a product adds that product's first variant (in the product's variant "
            "order) priced in the cart's currency that no other component of the bundle "
            "takes, so a bundle of two formats of one book adds both. NOT_A_BUNDLE when the "
            "promotion is not a bundle or a component names no product or variant (the "
            "shopper chooses it); BUNDLE_NOT_AVAILABLE when a named item is no longer for "
            "sale or not priced in the cart's currency. The message names the component."
        ),
        permission_classes=CHECKOUT,
    )
    async def cart_bundle_add(
        self, info: Info[Context, None], input: CartBundleAddInput
    ) -> CartPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        carts, shopper = info.context.services.cart, info.context.shopper
        return CartPayload.of(
            await run_use_case(info, errors, command, lambda c: carts.add_bundle(c, shopper))
        )
