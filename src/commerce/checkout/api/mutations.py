"""``checkoutComplete``: a cart becomes an order with a PaymentIntent to confirm.

Needs the checkout scope (anonymous shoppers have it; a storefront key without it
does not). Refusals are ``userErrors``; a placed order whose payment cannot start yet
comes back with the order and a ``PAYMENT_UNAVAILABLE`` error telling the client to
retry with the same idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.types import Info

from commerce.cart.model import is_cart_token
from commerce.checkout.errors import CheckoutErrorCode as DomainCode
from commerce.checkout.service import CheckoutResult
from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import CHECKOUT
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.graphql.user_errors import UserError
from commerce.orders.api.types import OrderType

CheckoutErrorCode = strawberry.enum(
    DomainCode, name="CheckoutErrorCode", description="Why checkout did not place an order."
)


@strawberry.type(description="A problem with a checkout.")
class CheckoutUserError(UserError):
    code: CheckoutErrorCode = strawberry.field(description="What is wrong, for programs.")


@dataclass(frozen=True, slots=True)
class CompleteCheckout:
    """The cart to buy (its token) and the client's key for safe retries."""

    cart_token: str
    idempotency_key: str
    visitor_token: str | None = None


@strawberry.input(description="The cart to buy and a key that makes retries safe.")
class CheckoutCompleteInput:
    cart_id: strawberry.ID = strawberry.field(description="The Cart.")
    idempotency_key: str = strawberry.field(
        description=(
            "A key the client makes once per purchase attempt (a UUID) and sends again on "
            "every retry: the same key returns the same order."
        )
    )

    visitor_token: str | None = strawberry.field(
        default=None,
        description=(
            "The shopper's visitor token (visitorStart, eventsRecord): the order's payment "
            "then credits the visitor's journey. A token the store did not issue is refused."
        ),
    )

    def to_command(self, errors: InputErrors) -> CompleteCheckout | None:
        token = errors.id(self.cart_id, "Cart", "cartId")
        if token is not None and not is_cart_token(token):
            errors.add(DomainCode.INVALID_ID, "Not a valid Cart ID", "cartId")
            return None
        if token is None:
            return None
        return CompleteCheckout(token, self.idempotency_key, self.visitor_token)


@strawberry.type(description="The placed order and how to pay for it.")
class CheckoutCompletePayload:
    order: OrderType | None = strawberry.field(description="The order, once placed.")
    payment_intent_client_secret: str | None = strawberry.field(
        description="Give it to Stripe.js (confirmPayment) to take the payment."
    )
    order_access_token: str | None = strawberry.field(
        description=(
            "Guests only: reads the order with order(id, accessToken). Shown on this "
            "response only; a retry with the same key issues a new one."
        )
    )
    user_errors: list[CheckoutUserError] = strawberry.field(description="Why it did not work.")

    @classmethod
    def of(cls, outcome: Outcome[CheckoutResult]) -> CheckoutCompletePayload:
        result = outcome.value
        problems = outcome.problems if result is None else result.problems
        return cls(
            order=outcome.map(lambda r: OrderType.from_domain(r.order)),
            payment_intent_client_secret=None if result is None else result.client_secret,
            order_access_token=None if result is None else result.access_token,
            user_errors=CheckoutUserError.list_of(problems),
        )


@strawberry.type
class CheckoutMutation:
    @strawberry.mutation(
        description=(
            "Buy a cart: re-prices it, reserves stock, places the order and creates its "
            "PaymentIntent for the exact total. Safe to retry with the same idempotencyKey."
        ),
        permission_classes=CHECKOUT,
    )
    async def checkout_complete(
        self, info: Info[Context, None], input: CheckoutCompleteInput
    ) -> CheckoutCompletePayload:
        errors = InputErrors(DomainCode.INVALID_ID)
        command = input.to_command(errors)
        services, shopper = info.context.services, info.context.shopper
        visitor_id = None
        if command is not None and command.visitor_token is not None:
            # A signature check, no storage call: decoding the input, like an id.
            visitor_id = services.journeys.visitor_of(command.visitor_token)
            if visitor_id is None:
                errors.add(
                    DomainCode.INVALID_ID, "Not a visitor token of this store", "visitorToken"
                )
        return CheckoutCompletePayload.of(
            await run_use_case(
                info,
                errors,
                command,
                lambda c: services.checkout.complete(
                    c.cart_token, c.idempotency_key, shopper, visitor_id=visitor_id
                ),
            )
        )
