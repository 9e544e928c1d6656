"""How ``node(id)`` fetches customers and their addresses, under each type's own rule."""

from __future__ import annotations

from strawberry.types import Info

from commerce.customers.api.types import Customer, CustomerAddress
from commerce.graphql.context import Context
from commerce.graphql.relay import Node, NodeType


async def customer_node(info: Info[Context, None], customer_id: str) -> Node | None:
    """A customer for the customer themselves, or for staff (admin scope); None for any
    other caller, and for an id that names no customer.

    No root field reads a customer by id (``customer`` reads the caller's own account,
    ``customerMarketing`` is staff's), so the rule is the account's: its owner and the
    shop's staff, nobody else. Null rather than an error, so an id gives nothing away.
    """
    principal = info.context.principal
    if principal.customer_id != customer_id and not principal.is_admin:
        return None
    found = await info.context.run(info.context.services.customers.customer, customer_id)
    return None if found is None else Customer.from_domain(found)


async def customer_address_node(info: Info[Context, None], address_id: str) -> Node | None:
    """A saved address for the customer who saved it; None for anyone else (staff
    included: addresses are read through their customer) and for an unknown id.

    As ``customerAddressUpdate`` does, an address of another customer is answered as
    if it did not exist.
    """
    me = info.context.principal.customer_id
    if me is None:
        return None
    addresses = info.context.services.customer_addresses
    found = await info.context.run(addresses.address, me, address_id)
    return None if found is None else CustomerAddress.from_domain(found)


NODES: list[NodeType] = [
    NodeType("Customer", customer_node),
    NodeType("CustomerAddress", customer_address_node),
]
