"""Customer profile use cases: the profile, its remembered cart, and the stored account.

A profile is changed by compare-and-swap on its ``revision``: each change re-reads and
retries after a concurrent one, so two tabs saving at once both land. Identity
(``commerce.customers.identity``) opens accounts and keeps their password hash here,
through ``open_account``, ``account_for_email`` and ``set_password_hash``, without ever
touching the profile's storage itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from commerce.cart.service import CartService
from commerce.customers import rules
from commerce.customers.commands import UpdateProfile
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import ConsentChannel, Customer, MarketingConsent
from commerce.customers.store import profiles
from commerce.problems import Problem, Rejected

MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """A profile with the password hash identity keeps beside it (opaque here)."""

    customer: Customer
    password_hash: str


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _rejected(code: Code, message: str, *field: str) -> Rejected:
    return Rejected([Problem(code, message, tuple(field))])


class CustomersService:
    """Customer profiles over the single table."""

    def __init__(
        self,
        carts: CartService,
        *,
        clock: Callable[[], datetime] = _utcnow,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._carts = carts
        self._clock = clock
        self._pause = pause

    # -- profile -----------------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer | None:
        """The customer's profile."""
        record = profiles.get_customer(customer_id)
        return None if record is None else record.customer

    def update_profile(self, customer_id: str, changes: UpdateProfile) -> Customer:
        """Change names, phone, marketing consents and demographics; the rest stays."""
        now = self._clock()
        phone = rules.normalized_phone(changes.phone)
        problems: list[Problem] = []
        for name, value in (("firstName", changes.first_name), ("lastName", changes.last_name)):
            if value is not None:
                problems += rules.check_name(value.strip(), (name,))
        problems += rules.check_phone(phone, ("phone",))
        problems += rules.check_time_zone(changes.time_zone, ("timeZone",))
        if changes.demographics is not None:
            problems += rules.check_demographics(changes.demographics, now.year, ("demographics",))
        if changes.birthday is not None:
            problems += rules.check_birthday(changes.birthday, ("birthday",))
        if problems:
            raise Rejected(problems)

        def edit(customer: Customer) -> Customer:
            consents = {c.channel: c for c in customer.consents}
            for channel, granted in changes.consents.items():
                previous = consents.get(channel)
                if previous is None or previous.granted != granted:
                    consents[channel] = MarketingConsent(channel, granted, now)
            return replace(
                customer,
                first_name=(
                    customer.first_name
                    if changes.first_name is None
                    else changes.first_name.strip()
                ),
                last_name=(
                    customer.last_name if changes.last_name is None else changes.last_name.strip()
                ),
                phone=None if changes.clear_phone else (phone or customer.phone),
                consents=tuple(consents[c] for c in ConsentChannel if c in consents),
                demographics=changes.demographics or customer.demographics,
                preferred_channel=None
                if changes.clear_preferred_channel
                else changes.preferred_channel or customer.preferred_channel,
                time_zone=(
                    customer.time_zone
                    if changes.time_zone is None
                    else changes.time_zone.strip() or None
                ),
                birthday=None
                if changes.clear_birthday
                else (changes.birthday or customer.birthday),
            )

        return self.change(customer_id, edit)

    def born_on(self, month: int, day: int) -> Iterator[str]:
        """The ids of the customers whose birthday is this month and day (the sparse
        birthday index: a Query, never a scan)."""
        return profiles.customers_born_on(month, day)

    def remember_cart(self, customer_id: str, cart_token: str) -> None:
        """Make ``cart_token`` the customer's current cart."""
        if cart_token:
            self.change(customer_id, lambda c: replace(c, cart_id=cart_token))

    def adopt_cart(self, customer: Customer, guest_token: str | None) -> Customer:
        """Bring a guest cart into the customer's on log-in (merged when they have one)."""
        if not guest_token:
            return customer
        token = self._carts.take_over(guest_token, customer.id, customer.cart_id)
        if token and token != customer.cart_id:
            return self.change(customer.id, lambda c: replace(c, cart_id=token))
        return customer

    def change(self, customer_id: str, edit: Callable[[Customer], Customer]) -> Customer:
        """Apply ``edit`` to the stored profile, re-reading after a concurrent change."""
        return self._replace(customer_id, edit)

    # -- the stored account, for identity ------------------------------------------------

    def open_account(self, customer: Customer, password_hash: str) -> None:
        """Store a new profile with its password hash; its email must be free."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                profiles.insert_customer(customer, customer.email, password_hash)
            except profiles.EmailTaken:
                raise _rejected(
                    Code.EMAIL_TAKEN, "An account with this email already exists", "email"
                ) from None
            except profiles.CustomerChanged:
                # Another sign-up's transaction held the email claim at that instant
                # (TransactionConflict): look again once it has settled.
                self._pause(0.01 * (attempt + 1))
                continue
            return
        raise _rejected(Code.CONCURRENT_UPDATE, "Please try again", "email")

    def account_for_email(self, email_key: str) -> StoredAccount | None:
        """The account holding this normalised email, with its password hash."""
        customer_id = profiles.customer_id_for_email(email_key)
        return None if customer_id is None else self.account(customer_id)

    def account(self, customer_id: str) -> StoredAccount | None:
        """The account with its password hash."""
        record = profiles.get_customer(customer_id)
        return None if record is None else StoredAccount(record.customer, record.password_hash)

    def set_password_hash(self, customer_id: str, password_hash: str) -> Customer:
        """Store a new password hash; the profile stays as it is."""
        return self._replace(customer_id, lambda c: c, password_hash=password_hash)

    def _replace(
        self,
        customer_id: str,
        edit: Callable[[Customer], Customer],
        *,
        password_hash: str | None = None,
    ) -> Customer:
        for attempt in range(MAX_ATTEMPTS):
            record = profiles.get_customer(customer_id)
            if record is None:
                raise _rejected(Code.INVALID, "No such customer")
            changed = edit(record.customer)
            try:
                profiles.replace_customer(record, changed, password_hash)
            except profiles.CustomerChanged:
                self._pause(0.005 * (attempt + 1))
                continue
            return changed
        raise _rejected(Code.CONCURRENT_UPDATE, "The account is being changed elsewhere; try again")
