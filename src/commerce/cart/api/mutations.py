"""Shopper changes to carts. No credentials needed: the cart id is the capability.

Each takes one ``input`` and returns the cart as it is now with ``userErrors``; a
refused change writes nothing and returns no cart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.access.model import PrincipalKind
from commerce.cart.api import inputs
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
    CartShippingAddressUpdateInput,
)
from commerce.cart.api.types import Cart, CartUserError
from commerce.cart.errors import CartErrorCode as Code
from commerce.cart.model import PricedCart
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.permissions import HasCheckoutScope
from commerce.problems import Problem, Rejected

# Carts are the checkout's business: refused to keys without the checkout scope.
CHECKOUT: list[type[BasePermission]] = [HasCheckoutScope]


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


async def _affiliate(
    info: Info[Context, None], given: strawberry.ID | None, problems: list[Problem]
) -> str | None:
    """The partner that referred a new cart: a partner's key refers its own carts; anyone
    else may name an existing partner (from the affiliate's link), or nobody."""
    principal = info.context.principal
    own = principal.id if principal.kind is PrincipalKind.PARTNER else None
    if given is None:
        return own
    local = local_id_or_none(given, "Partner")
    found = None
    if local is not None and (own is None or local == own):
        found = await info.context.run(info.context.services.access.partner, local)
    if found is None:
        problems.append(
            Problem(Code.AFFILIATE_NOT_FOUND, "No such affiliate partner", ("affiliateId",))
        )
        return None
    return found.id


@strawberry.type
class CartMutation:
    @strawberry.mutation(
        description="Create a cart, optionally with lines and a buyer.", permission_classes=CHECKOUT
    )
    async def cart_create(self, info: Info[Context, None], input: CartCreateInput) -> CartPayload:
        problems: list[Problem] = []
        lines = inputs.line_requests(input.lines, problems)
        identity = None if input.buyer_identity is None else input.buyer_identity.to_domain()
        carts = info.context.services.cart
        customers = info.context.services.customers
        viewer = info.context.shopper
        owner = viewer.customer_id
        affiliate = await _affiliate(info, input.affiliate_id, problems)

        def create() -> PricedCart:
            priced = carts.create(
                currency=input.currency,
                lines=lines,
                buyer_identity=identity,
                input_problems=problems,
                owner_id=owner,
                viewer=viewer,
                affiliate_id=affiliate,
            )
            if owner is not None:
                # A logged-in customer's new cart becomes the one `customer { cart }` shows.
                customers.remember_cart(owner, priced.cart.id)
            return priced

        return await _cart_change(info, create)

    @strawberry.mutation(
        description="Add variants; a variant already in the cart has its quantity raised.",
        permission_classes=CHECKOUT,
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
        viewer = info.context.shopper
        return await _cart_change(info, lambda: carts.add_lines(token, lines, problems, viewer))

    @strawberry.mutation(
        description="Change line quantities; a quantity of 0 removes the line.",
        permission_classes=CHECKOUT,
    )
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
        viewer = info.context.shopper
        return await _cart_change(
            info, lambda: carts.update_lines(token, quantities, problems, viewer)
        )

    @strawberry.mutation(description="Take lines out of the cart.", permission_classes=CHECKOUT)
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
        viewer = info.context.shopper
        return await _cart_change(
            info, lambda: carts.remove_lines(token, line_ids, problems, viewer)
        )

    @strawberry.mutation(
        description="Set who is buying: email, phone and marketing consent.",
        permission_classes=CHECKOUT,
    )
    async def cart_buyer_identity_update(
        self, info: Info[Context, None], input: CartBuyerIdentityUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        identity = input.buyer_identity.to_domain()
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        viewer = info.context.shopper
        return await _cart_change(
            info, lambda: carts.update_buyer_identity(token, identity, viewer)
        )

    @strawberry.mutation(
        description="Set where the cart's physical goods will be shipped.",
        permission_classes=CHECKOUT,
    )
    async def cart_shipping_address_update(
        self, info: Info[Context, None], input: CartShippingAddressUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        address = input.address.to_domain()
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        viewer = info.context.shopper
        return await _cart_change(
            info, lambda: carts.update_shipping_address(token, address, viewer)
        )

    @strawberry.mutation(
        description="Price the cart in another currency.", permission_classes=CHECKOUT
    )
    async def cart_currency_update(
        self, info: Info[Context, None], input: CartCurrencyUpdateInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        viewer = info.context.shopper
        return await _cart_change(
            info, lambda: carts.update_currency(token, input.currency, viewer)
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
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        option_id = inputs.delivery_option_id(input.delivery_option_id, problems)
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        viewer = info.context.shopper
        return await _cart_change(
            info, lambda: carts.select_delivery_option(token, option_id, viewer)
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
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        viewer = info.context.shopper
        codes = list(input.discount_codes)
        return await _cart_change(info, lambda: carts.update_discount_codes(token, codes, viewer))

    @strawberry.mutation(
        description=(
            "Add one set of a bundle promotion's items in one step (quantities add to lines "
            "the cart already has). NOT_A_BUNDLE when the promotion is not a bundle of named "
            "products for sale in the cart's currency."
        ),
        permission_classes=CHECKOUT,
    )
    async def cart_bundle_add(
        self, info: Info[Context, None], input: CartBundleAddInput
    ) -> CartPayload:
        problems: list[Problem] = []
        token = inputs.cart_token(input.cart_id, problems)
        promotion = inputs.promotion_id(input.promotion_id, problems)
        carts = info.context.services.cart
        if problems:
            return _refusal(problems)
        viewer = info.context.shopper
        return await _cart_change(info, lambda: carts.add_bundle(token, promotion, viewer))
