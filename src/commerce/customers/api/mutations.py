"""Customer account mutations: sign-up, log-in and sessions, passwords, profile, addresses.

Sign-up, log-in, refresh, log-out and password reset need no credentials (they are how a
customer gets them); every other mutation acts on the caller's own account and needs a
customer's bearer token. Each returns ``userErrors`` with exact codes; a refusal writes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.customers import model
from commerce.customers.api import inputs
from commerce.customers.api.inputs import (
    CustomerAddressCreateInput,
    CustomerAddressDeleteInput,
    CustomerAddressUpdateInput,
    CustomerLogInInput,
    CustomerPasswordChangeInput,
    CustomerPasswordResetInput,
    CustomerPasswordResetRequestInput,
    CustomerRefreshTokenInput,
    CustomerSignUpInput,
    CustomerUpdateInput,
)
from commerce.customers.api.marketing import CustomerMarketingMutation
from commerce.customers.api.types import (
    Customer,
    CustomerAddress,
    CustomerSession,
    CustomerUserError,
    address_global_id,
    user_errors,
)
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import ProfileChanges
from commerce.customers.service import LoginThrottled, Session, consent_changes
from commerce.graphql.context import Context
from commerce.graphql.permissions import IsCustomer
from commerce.problems import Problem, Rejected

T = TypeVar("T")
CUSTOMER: list[type[BasePermission]] = [IsCustomer]


@strawberry.type(description="The result of signing up, logging in or refreshing tokens.")
class CustomerAuthPayload:
    customer: Customer | None = strawberry.field(description="The customer, when it worked.")
    session: CustomerSession | None = strawberry.field(
        description="The new tokens, when it worked."
    )
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description="With TOO_MANY_ATTEMPTS: seconds until another log-in is heard.",
    )


@strawberry.type(description="The result of a change that returns nothing but its outcome.")
class CustomerOutcomePayload:
    ok: bool = strawberry.field(description="Whether it was done.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it was not.")


@strawberry.type(description="The result of changing the profile.")
class CustomerUpdatePayload:
    customer: Customer | None = strawberry.field(description="The profile, when it worked.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of saving an address.")
class CustomerAddressPayload:
    address: CustomerAddress | None = strawberry.field(description="The address, when it worked.")
    customer: Customer | None = strawberry.field(description="The profile as it is now.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")


@strawberry.type(description="The result of deleting an address.")
class CustomerAddressDeletePayload:
    deleted_address_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    customer: Customer | None = strawberry.field(description="The profile as it is now.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")


def _me(info: Info[Context, None]) -> str:
    customer_id = info.context.principal.id
    assert customer_id is not None  # IsCustomer let the request through
    return customer_id


async def _attempt(info: Info[Context, None], work: Callable[[], T]) -> T | Rejected:
    try:
        return await info.context.run(work)
    except Rejected as rejected:
        return rejected


async def _session(info: Info[Context, None], work: Callable[[], Session]) -> CustomerAuthPayload:
    outcome = await _attempt(info, work)
    if isinstance(outcome, Rejected):
        retry = None
        if isinstance(outcome, LoginThrottled):
            retry = max(1, int(outcome.retry_after + 0.999))
        return CustomerAuthPayload(
            customer=None,
            session=None,
            user_errors=user_errors(outcome),
            retry_after_seconds=retry,
        )
    return CustomerAuthPayload(
        customer=Customer.from_domain(outcome.customer),
        session=CustomerSession.from_domain(outcome.tokens),
        user_errors=[],
    )


def _address_payload(
    outcome: tuple[model.CustomerAddress, model.Customer] | Rejected,
) -> CustomerAddressPayload:
    """The payload of an address change: the address and the profile, or why not."""
    if isinstance(outcome, Rejected):
        return CustomerAddressPayload(address=None, customer=None, user_errors=user_errors(outcome))
    address, customer = outcome
    return CustomerAddressPayload(
        address=CustomerAddress.from_domain(address),
        customer=Customer.from_domain(customer),
        user_errors=[],
    )


def _bad_address_id() -> Rejected:
    return Rejected([Problem(Code.ADDRESS_NOT_FOUND, "You have no such address", ("id",))])


@strawberry.type
class CustomerMutation(CustomerMarketingMutation):
    @strawberry.mutation(
        description=(
            "Open an account and log in. With cartId, that guest cart becomes the customer's."
        )
    )
    async def customer_sign_up(
        self, info: Info[Context, None], input: CustomerSignUpInput
    ) -> CustomerAuthPayload:
        customers = info.context.services.customers
        cart = inputs.cart_token(input.cart_id)
        return await _session(
            info,
            lambda: customers.sign_up(
                input.email,
                input.password,
                first_name=input.first_name,
                last_name=input.last_name,
                cart_token=cart,
            ),
        )

    @strawberry.mutation(
        description=(
            "Log in with email and password; with cartId, the guest cart is merged into the "
            "customer's. After 5 failures for one account (or 20 from one address) within "
            "15 minutes, attempts answer TOO_MANY_ATTEMPTS with retryAfterSeconds."
        )
    )
    async def customer_log_in(
        self, info: Info[Context, None], input: CustomerLogInInput
    ) -> CustomerAuthPayload:
        customers = info.context.services.customers
        cart = inputs.cart_token(input.cart_id)
        address = info.context.client_address
        return await _session(
            info, lambda: customers.log_in(input.email, input.password, address, cart)
        )

    @strawberry.mutation(
        description=(
            "Trade a refresh token for new tokens; the old refresh token stops working. "
            "Using a refresh token twice ends its session (REFRESH_TOKEN_REUSED)."
        )
    )
    async def customer_token_refresh(
        self, info: Info[Context, None], input: CustomerRefreshTokenInput
    ) -> CustomerAuthPayload:
        customers = info.context.services.customers
        outcome = await _attempt(info, lambda: customers.refresh(input.refresh_token))
        if isinstance(outcome, Rejected):
            return CustomerAuthPayload(
                customer=None, session=None, user_errors=user_errors(outcome)
            )
        return CustomerAuthPayload(
            customer=None, session=CustomerSession.from_domain(outcome), user_errors=[]
        )

    @strawberry.mutation(
        description=(
            "End the session of a refresh token. Its access tokens keep working until they "
            "expire (at most 15 minutes); drop them on the client."
        )
    )
    async def customer_log_out(
        self, info: Info[Context, None], input: CustomerRefreshTokenInput
    ) -> CustomerOutcomePayload:
        customers = info.context.services.customers
        await info.context.run(customers.log_out, input.refresh_token)
        return CustomerOutcomePayload(ok=True, user_errors=[])

    @strawberry.mutation(
        description="Change the password; every other session of the account ends.",
        permission_classes=CUSTOMER,
    )
    async def customer_password_change(
        self, info: Info[Context, None], input: CustomerPasswordChangeInput
    ) -> CustomerAuthPayload:
        customers = info.context.services.customers
        me = _me(info)
        return await _session(
            info,
            lambda: customers.change_password(me, input.current_password, input.new_password),
        )

    @strawberry.mutation(
        description=(
            "Email a password reset code if an account has this email. The answer is the "
            "same either way, so it does not tell who has an account."
        )
    )
    async def customer_password_reset_request(
        self, info: Info[Context, None], input: CustomerPasswordResetRequestInput
    ) -> CustomerOutcomePayload:
        customers = info.context.services.customers
        await info.context.run(customers.request_password_reset, input.email)
        return CustomerOutcomePayload(ok=True, user_errors=[])

    @strawberry.mutation(
        description=(
            "Set a new password with an emailed reset code (once, within an hour) and log "
            "in; every other session of the account ends."
        )
    )
    async def customer_password_reset(
        self, info: Info[Context, None], input: CustomerPasswordResetInput
    ) -> CustomerAuthPayload:
        customers = info.context.services.customers
        return await _session(
            info, lambda: customers.reset_password(input.token, input.new_password)
        )

    @strawberry.mutation(
        description="Change names, phone, marketing consent and demographics.",
        permission_classes=CUSTOMER,
    )
    async def customer_update(
        self, info: Info[Context, None], input: CustomerUpdateInput
    ) -> CustomerUpdatePayload:
        customers = info.context.services.customers
        consent = input.marketing_consent
        changes = ProfileChanges(
            first_name=input.first_name,
            last_name=input.last_name,
            phone=input.phone,
            clear_phone=input.phone is not None and not input.phone.strip(),
            consents=(
                {} if consent is None else consent_changes(consent.email, consent.sms, consent.push)
            ),
            demographics=None if input.demographics is None else input.demographics.to_domain(),
        )
        me = _me(info)
        outcome = await _attempt(info, lambda: customers.update_profile(me, changes))
        if isinstance(outcome, Rejected):
            return CustomerUpdatePayload(customer=None, user_errors=user_errors(outcome))
        return CustomerUpdatePayload(customer=Customer.from_domain(outcome), user_errors=[])

    @strawberry.mutation(description="Save a new address.", permission_classes=CUSTOMER)
    async def customer_address_create(
        self, info: Info[Context, None], input: CustomerAddressCreateInput
    ) -> CustomerAddressPayload:
        customers = info.context.services.customers
        me = _me(info)
        fields = input.address.to_domain()
        outcome = await _attempt(
            info,
            lambda: customers.create_address(me, fields, make_default=input.set_as_default),
        )
        return _address_payload(outcome)

    @strawberry.mutation(
        description="Replace a saved address (only your own).", permission_classes=CUSTOMER
    )
    async def customer_address_update(
        self, info: Info[Context, None], input: CustomerAddressUpdateInput
    ) -> CustomerAddressPayload:
        customers = info.context.services.customers
        me = _me(info)
        local = inputs.address_id(input.id)
        fields = input.address.to_domain()

        if local is None:
            return _address_payload(_bad_address_id())
        outcome = await _attempt(
            info,
            lambda: customers.update_address(me, local, fields, make_default=input.set_as_default),
        )
        return _address_payload(outcome)

    @strawberry.mutation(
        description="Delete a saved address (only your own).", permission_classes=CUSTOMER
    )
    async def customer_address_delete(
        self, info: Info[Context, None], input: CustomerAddressDeleteInput
    ) -> CustomerAddressDeletePayload:
        customers = info.context.services.customers
        me = _me(info)
        local = inputs.address_id(input.id)
        if local is None:
            return CustomerAddressDeletePayload(
                deleted_address_id=None, customer=None, user_errors=user_errors(_bad_address_id())
            )
        outcome = await _attempt(info, lambda: customers.delete_address(me, local))
        if isinstance(outcome, Rejected):
            return CustomerAddressDeletePayload(
                deleted_address_id=None, customer=None, user_errors=user_errors(outcome)
            )
        return CustomerAddressDeletePayload(
            deleted_address_id=strawberry.ID(address_global_id(local)),
            customer=Customer.from_domain(outcome),
            user_errors=[],
        )
