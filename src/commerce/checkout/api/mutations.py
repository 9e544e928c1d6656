"""``checkoutComplete``: a cart becomes an order with a PaymentIntent to confirm.

Needs the checkout scope (anonymous shoppers have it; a storefront key without it
does not). Refusals are ``userErrors``; a placed order whose payment cannot start yet
comes back with the order and a ``PAYMENT_UNAVAILABLE`` error telling the client to
retry with the same idempotency key.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.access.model import Scope
from commerce.cart.model import is_cart_token
from commerce.checkout.errors import CheckoutErrorCode as DomainCode
from commerce.checkout.model import Buyer
from commerce.checkout.service import CheckoutResult
from commerce.graphql.context import Context
from commerce.graphql.errors import Forbidden
from commerce.graphql.ids import local_id_or_none
from commerce.orders.api.types import OrderType
from commerce.problems import Problem, Rejected

CheckoutErrorCode = strawberry.enum(
    DomainCode, name="CheckoutErrorCode", description="Why checkout did not place an order."
)


class CanCheckOut(BasePermission):
    """Callers holding the checkout scope (anonymous shoppers do)."""

    message = "Checkout access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        if not info.context.principal.has(Scope.CHECKOUT):
            raise Forbidden("This credential lacks the checkout scope")
        return True


@strawberry.type(description="A problem with a checkout.")
class CheckoutUserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input or cart field at fault, e.g. ["lines", "0"].'
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: CheckoutErrorCode = strawberry.field(description="What is wrong, for programs.")

    @classmethod
    def from_problem(cls, problem: Problem) -> CheckoutUserError:
        return cls(field=list(problem.field) or None, message=problem.message, code=problem.code)


@strawberry.input(description="The cart to buy and a key that makes retries safe.")
class CheckoutCompleteInput:
    cart_id: strawberry.ID = strawberry.field(description="The Cart.")
    idempotency_key: str = strawberry.field(
        description=(
            "A key the client makes once per purchase attempt (a UUID) and sends again on "
            "every retry: the same key returns the same order."
        )
    )


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


def _refused(problems: tuple[Problem, ...] | list[Problem]) -> CheckoutCompletePayload:
    return CheckoutCompletePayload(
        order=None,
        payment_intent_client_secret=None,
        order_access_token=None,
        user_errors=[CheckoutUserError.from_problem(p) for p in problems],
    )


def _placed(result: CheckoutResult) -> CheckoutCompletePayload:
    return CheckoutCompletePayload(
        order=OrderType.from_domain(result.order),
        payment_intent_client_secret=result.client_secret,
        order_access_token=result.access_token,
        user_errors=[CheckoutUserError.from_problem(p) for p in result.problems],
    )


@strawberry.type
class CheckoutMutation:
    @strawberry.mutation(
        description=(
            "Buy a cart: re-prices it, reserves stock, places the order and creates its "
            "PaymentIntent for the exact total. Safe to retry with the same idempotencyKey."
        ),
        permission_classes=[CanCheckOut],
    )
    async def checkout_complete(
        self, info: Info[Context, None], input: CheckoutCompleteInput
    ) -> CheckoutCompletePayload:
        token = local_id_or_none(input.cart_id, "Cart")
        if token is None or not is_cart_token(token):
            return _refused([Problem(DomainCode.INVALID_ID, "Not a valid Cart ID", ("cartId",))])
        viewer = info.context.viewer
        buyer = Buyer(viewer.customer_id, viewer.channel)
        checkout = info.context.services.checkout
        try:
            result = await info.context.run(checkout.complete, token, input.idempotency_key, buyer)
        except Rejected as rejected:
            return _refused(rejected.problems)
        return _placed(result)
