"""Customer account mutations: profile and addresses here; sign-up, log-in, sessions and
passwords in ``identity.py``; staff tags in ``marketing.py``.

Profile and address mutations act on the caller's own account and need a customer's
bearer token. Each returns ``userErrors`` with exact codes; a refusal writes nothing.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.customers import model
from commerce.customers.api.identity import IdentityMutation
from commerce.customers.api.inputs import (
    CustomerAddressCreateInput,
    CustomerAddressDeleteInput,
    CustomerAddressUpdateInput,
    CustomerUpdateInput,
)
from commerce.customers.api.marketing import CustomerMarketingMutation
from commerce.customers.api.segments import CustomerSegmentMutation
from commerce.customers.api.types import (
    Customer,
    CustomerAddress,
    CustomerUserError,
    address_global_id,
)
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import CUSTOMER
from commerce.graphql.use_cases import Outcome, run_use_case


@strawberry.type(description="The result of changing the profile.")
class CustomerUpdatePayload:
    customer: Customer | None = strawberry.field(description="The profile, when it worked.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.Customer]) -> CustomerUpdatePayload:
        return cls(
            customer=outcome.map(Customer.from_domain),
            user_errors=CustomerUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of saving an address.")
class CustomerAddressPayload:
    address: CustomerAddress | None = strawberry.field(description="The address, when it worked.")
    customer: Customer | None = strawberry.field(description="The profile as it is now.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(
        cls, outcome: Outcome[tuple[model.CustomerAddress, model.Customer]]
    ) -> CustomerAddressPayload:
        return cls(
            address=outcome.map(lambda saved: CustomerAddress.from_domain(saved[0])),
            customer=outcome.map(lambda saved: Customer.from_domain(saved[1])),
            user_errors=CustomerUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of deleting an address.")
class CustomerAddressDeletePayload:
    deleted_address_id: strawberry.ID | None = strawberry.field(description="The deleted id.")
    customer: Customer | None = strawberry.field(description="The profile as it is now.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[tuple[str, model.Customer]]) -> CustomerAddressDeletePayload:
        return cls(
            deleted_address_id=outcome.map(lambda done: strawberry.ID(address_global_id(done[0]))),
            customer=outcome.map(lambda done: Customer.from_domain(done[1])),
            user_errors=CustomerUserError.list_of(outcome.problems),
        )


def _me(info: Info[Context, None]) -> str:
    customer_id = info.context.principal.customer_id
    assert customer_id is not None  # CUSTOMER let the request through
    return customer_id


@strawberry.type
class CustomerMutation(CustomerMarketingMutation, CustomerSegmentMutation, IdentityMutation):
    @strawberry.mutation(
        description="Change names, phone, marketing consent and demographics.",
        permission_classes=CUSTOMER,
    )
    async def customer_update(
        self, info: Info[Context, None], input: CustomerUpdateInput
    ) -> CustomerUpdatePayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        customers, me = info.context.services.customers, _me(info)
        return CustomerUpdatePayload.of(
            await run_use_case(info, errors, command, lambda c: customers.update_profile(me, c))
        )

    @strawberry.mutation(description="Save a new address.", permission_classes=CUSTOMER)
    async def customer_address_create(
        self, info: Info[Context, None], input: CustomerAddressCreateInput
    ) -> CustomerAddressPayload:
        errors = InputErrors(Code.ADDRESS_NOT_FOUND)
        command = input.to_command(errors)
        addresses, me = info.context.services.customer_addresses, _me(info)
        return CustomerAddressPayload.of(
            await run_use_case(info, errors, command, lambda c: addresses.create_address(me, c))
        )

    @strawberry.mutation(
        description="Replace a saved address (only your own).", permission_classes=CUSTOMER
    )
    async def customer_address_update(
        self, info: Info[Context, None], input: CustomerAddressUpdateInput
    ) -> CustomerAddressPayload:
        errors = InputErrors(Code.ADDRESS_NOT_FOUND)
        command = input.to_command(errors)
        addresses, me = info.context.services.customer_addresses, _me(info)
        return CustomerAddressPayload.of(
            await run_use_case(info, errors, command, lambda c: addresses.update_address(me, c))
        )

    @strawberry.mutation(
        description="Delete a saved address (only your own).", permission_classes=CUSTOMER
    )
    async def customer_address_delete(
        self, info: Info[Context, None], input: CustomerAddressDeleteInput
    ) -> CustomerAddressDeletePayload:
        errors = InputErrors(Code.ADDRESS_NOT_FOUND)
        command = input.to_command(errors)
        addresses, me = info.context.services.customer_addresses, _me(info)
        return CustomerAddressDeletePayload.of(
            await run_use_case(info, errors, command, lambda c: addresses.delete_address(me, c))
        )
