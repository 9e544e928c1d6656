"""Saved addresses: a customer's own only, at most ``MAX_ADDRESSES``, one the default.

Addresses arrive normalised and checked (``commands.CreateAddress``); a use case refuses
only what it finds in storage: too many addresses, or an id that is not the caller's.
"""

from __future__ import annotations

from dataclasses import replace

from commerce.customers.commands import CreateAddress, DeleteAddress, UpdateAddress
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import MAX_ADDRESSES, Customer, CustomerAddress
from commerce.customers.service import CustomersService
from commerce.customers.store import addresses
from commerce.ids import new_id
from commerce.problems import Problem, Rejected


def _address_not_found() -> Rejected:
    return Rejected([Problem(Code.ADDRESS_NOT_FOUND, "You have no such address", ("id",))])


class CustomerAddressesService:
    """A customer's address book; the default address is kept on the profile."""

    def __init__(self, customers: CustomersService) -> None:
        self._customers = customers

    def addresses(self, customer_id: str) -> list[CustomerAddress]:
        """The customer's saved addresses, oldest first."""
        return addresses.list_addresses(customer_id)

    def address(self, customer_id: str, address_id: str) -> CustomerAddress | None:
        """One saved address of this customer; None for anyone else's."""
        return addresses.get_address(customer_id, address_id)

    def create_address(
        self, customer_id: str, command: CreateAddress
    ) -> tuple[CustomerAddress, Customer]:
        """Save a new address; the first one (or ``make_default``) becomes the default."""
        existing = addresses.list_addresses(customer_id)
        if len(existing) >= MAX_ADDRESSES:
            raise Rejected(
                [
                    Problem(
                        Code.TOO_MANY_ADDRESSES,
                        f"At most {MAX_ADDRESSES} saved addresses",
                        ("address",),
                    )
                ]
            )
        address = CustomerAddress(new_id(), command.fields)
        addresses.put_address(customer_id, address)
        make_default = command.make_default or not existing
        return address, self._default_after_change(customer_id, address.id, make_default)

    def update_address(
        self, customer_id: str, command: UpdateAddress
    ) -> tuple[CustomerAddress, Customer]:
        """Replace a saved address of this customer (never another customer's)."""
        if addresses.get_address(customer_id, command.address_id) is None:
            raise _address_not_found()
        address = CustomerAddress(command.address_id, command.fields)
        addresses.put_address(customer_id, address)
        customer = self._default_after_change(customer_id, address.id, command.make_default)
        return address, customer

    def delete_address(self, customer_id: str, command: DeleteAddress) -> tuple[str, Customer]:
        """Remove a saved address (its id is returned with the profile as it is now); the
        default moves to the oldest remaining one."""
        address_id = command.address_id
        if not addresses.delete_address(customer_id, address_id):
            raise _address_not_found()
        remaining = addresses.list_addresses(customer_id)

        def edit(customer: Customer) -> Customer:
            if customer.default_address_id != address_id:
                return customer
            return replace(customer, default_address_id=remaining[0].id if remaining else None)

        return address_id, self._customers.change(customer_id, edit)

    def _default_after_change(
        self, customer_id: str, address_id: str, make_default: bool
    ) -> Customer:
        if not make_default:
            found = self._customers.customer(customer_id)
            if found is None:
                raise _address_not_found()
            return found
        return self._customers.change(
            customer_id, lambda c: replace(c, default_address_id=address_id)
        )
