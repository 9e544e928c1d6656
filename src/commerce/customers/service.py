"""Customer use cases: accounts, log-in sessions, password reset, profile and addresses.

Sessions: a log-in hands out a 15-minute JWT access token and an opaque refresh token.
Each refresh rotates the refresh token; the old one is marked used, and presenting a
used one again (a stolen copy replayed, or the legitimate client after the thief) ends
the whole session, so a leaked refresh token works at most until its first reuse.

Log-ins are throttled per account and per client address: after ``ACCOUNT_MAX_FAILURES``
(resp. ``ADDRESS_MAX_FAILURES``) failures within ``FAILURE_WINDOW`` further attempts are
refused with ``TOO_MANY_ATTEMPTS`` until the window ends, even with the right password.
See ``docs/decisions/0009-customer-auth.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from commerce.access.model import Principal, PrincipalKind, Scope
from commerce.cart.service import CartService
from commerce.customers import rules, store
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import (
    MAX_ADDRESSES,
    AddressFields,
    ConsentChannel,
    Customer,
    CustomerAddress,
    MarketingConsent,
    ProfileChanges,
    TokenPair,
)
from commerce.customers.passwords import Passwords
from commerce.customers.tokens import (
    REFRESH_TOKEN_LIFETIME,
    AccessTokens,
    InvalidAccessToken,
    digest_of,
    new_refresh_token,
    new_reset_token,
)
from commerce.ids import new_id
from commerce.limits.model import address_key
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.problems import Problem, Rejected

CUSTOMER_SCOPES = frozenset({Scope.STOREFRONT_READ, Scope.CHECKOUT})
ACCOUNT_MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
FAILURE_WINDOW = timedelta(minutes=15)
RESET_CODE_LIFETIME = timedelta(hours=1)
ACCOUNT = "ACCOUNT"
ADDRESS = "CLIENT"
MAX_ATTEMPTS = 5


class Outbox(Protocol):
    """Where notifications go (the notifications context's service)."""

    def enqueue(self, notification: Notification) -> None: ...


class LoginThrottled(Rejected):
    """Too many failed log-ins: ``retry_after`` seconds until the next attempt is heard."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(
            [
                Problem(
                    Code.TOO_MANY_ATTEMPTS,
                    f"Too many failed log-ins; try again in {seconds} s",
                    (),
                )
            ]
        )


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in customer: the profile, the tokens, and the cart token they now have."""

    customer: Customer
    tokens: TokenPair


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _rejected(code: Code, message: str, *field: str) -> Rejected:
    return Rejected([Problem(code, message, tuple(field))])


class CustomersService:
    """Customer accounts and sessions over the single table."""

    def __init__(
        self,
        carts: CartService,
        *,
        jwt_secret: str | None,
        outbox: Outbox | None = None,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = _utcnow,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._carts = carts
        self._tokens = None if jwt_secret is None else AccessTokens(jwt_secret)
        self._outbox = outbox
        self._passwords = passwords or Passwords()
        self._clock = clock
        self._pause = pause

    # -- authentication ----------------------------------------------------------------

    def authenticate(self, bearer: str) -> Principal:
        """The principal of an ``Authorization: Bearer`` access token.

        ``InvalidAccessToken`` for anything but a genuine current token; no database call.
        """
        if self._tokens is None:
            raise InvalidAccessToken("Customer log-in is not configured on this server")
        claims = self._tokens.verify(bearer.strip(), self._clock())
        return Principal(PrincipalKind.CUSTOMER, claims.customer_id, CUSTOMER_SCOPES)

    def sign_up(
        self,
        email: str,
        password: str,
        *,
        first_name: str = "",
        last_name: str = "",
        cart_token: str | None = None,
    ) -> Session:
        """Open an account and log it in; the email must be free."""
        key = rules.normalized_email(email)
        problems = [
            *rules.check_email(key, ("email",)),
            *rules.check_password(password, ("password",), key),
            *rules.check_name(first_name.strip(), ("firstName",)),
            *rules.check_name(last_name.strip(), ("lastName",)),
        ]
        if problems:
            raise Rejected(problems)
        now = self._clock()
        customer = Customer(
            id=new_id(),
            email=key,
            created_at=now,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        digest = self._passwords.hash(rules.normalized_password(password))
        for attempt in range(MAX_ATTEMPTS):
            try:
                store.insert_customer(customer, key, digest)
            except store.EmailTaken:
                raise _rejected(
                    Code.EMAIL_TAKEN, "An account with this email already exists", "email"
                ) from None
            except store.CustomerChanged:
                # Another sign-up's transaction held the email claim at that instant
                # (TransactionConflict): look again once it has settled.
                self._pause(0.01 * (attempt + 1))
                continue
            return self._open_session(customer, cart_token)
        raise _rejected(Code.CONCURRENT_UPDATE, "Please try again", "email")

    def log_in(
        self, email: str, password: str, address: str | None, cart_token: str | None = None
    ) -> Session:
        """Check the password and start a session; ``LoginThrottled`` after many failures."""
        key = rules.normalized_email(email)
        now = self._clock()
        # An email no account can have is never looked up (nor made a key: DynamoDB keys
        # are bounded); the attempt still counts against the address.
        plausible = not rules.check_email(key, ("email",))
        counters = ([(ACCOUNT, key)] if plausible else []) + (
            # As the rate limits do: one counter per IPv4 address or IPv6 /64.
            [(ADDRESS, address_key(address))] if address else []
        )
        windows = store.failures(counters, now) if counters else {}
        limits = {ACCOUNT: ACCOUNT_MAX_FAILURES, ADDRESS: ADDRESS_MAX_FAILURES}
        blocked = [w.ends for (kind, _), w in windows.items() if w.count >= limits[kind]]
        if blocked:
            raise LoginThrottled((max(blocked) - now).total_seconds())
        customer_id = store.customer_id_for_email(key) if plausible else None
        record = store.get_customer(customer_id) if customer_id else None
        candidate = rules.normalized_password(password)
        stored = None if record is None else record.password_hash
        if len(candidate) > rules.MAX_PASSWORD_LENGTH or not self._passwords.verify(
            stored, candidate
        ):
            for kind, counter in counters:
                store.record_failure(kind, counter, now, now + FAILURE_WINDOW)
            raise _rejected(Code.INVALID_CREDENTIALS, "Wrong email or password")
        assert record is not None
        if (ACCOUNT, key) in windows:
            store.clear_failures(ACCOUNT, key)
        if self._passwords.needs_rehash(record.password_hash):
            self._replace(
                record.customer.id, lambda c: c, password_hash=self._passwords.hash(candidate)
            )
        return self._open_session(record.customer, cart_token)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate a refresh token: new access and refresh tokens, the old one spent."""
        now = self._clock()
        invalid = _rejected(
            Code.INVALID_REFRESH_TOKEN,
            "Refresh token is invalid or expired: log in again",
            "refreshToken",
        )
        found = store.get_refresh(digest_of(refresh_token.strip()))
        if found is None or found.expires_at <= now:
            raise invalid
        if found.used_at is not None:
            store.revoke_session(found.customer_id, found.family_id, now)
            raise _rejected(
                Code.REFRESH_TOKEN_REUSED,
                "This refresh token was already used; the session is ended for safety: "
                "log in again",
                "refreshToken",
            )
        plaintext = new_refresh_token()
        successor = store.RefreshRecord(
            digest=digest_of(plaintext),
            customer_id=found.customer_id,
            family_id=found.family_id,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
            used_at=None,
        )
        if not store.rotate(found, successor, now):
            # Used by someone else in the meantime, or the session was ended: either way
            # this token is no longer good, and a race with a replay ends the session.
            if store.session_active(found.customer_id, found.family_id):
                store.revoke_session(found.customer_id, found.family_id, now)
                raise _rejected(
                    Code.REFRESH_TOKEN_REUSED,
                    "This refresh token was already used; the session is ended for safety: "
                    "log in again",
                    "refreshToken",
                )
            raise invalid
        access, access_expires = self._access_tokens().issue(found.customer_id, now)
        return TokenPair(access, access_expires, plaintext, successor.expires_at)

    def log_out(self, refresh_token: str) -> None:
        """End the session of this refresh token (any token of the session will do)."""
        found = store.get_refresh(digest_of(refresh_token.strip()))
        if found is not None:
            store.revoke_session(found.customer_id, found.family_id, self._clock())

    def change_password(self, customer_id: str, current: str, new: str) -> Session:
        """Set a new password after checking the current one; every other session ends."""
        record = store.get_customer(customer_id)
        if record is None:
            raise _rejected(Code.INVALID_CREDENTIALS, "Wrong password", "currentPassword")
        problems = rules.check_password(new, ("newPassword",), record.customer.email)
        if problems:
            raise Rejected(problems)
        if not self._passwords.verify(record.password_hash, rules.normalized_password(current)):
            raise _rejected(Code.INVALID_CREDENTIALS, "Wrong password", "currentPassword")
        return self._set_password(customer_id, new)

    def request_password_reset(self, email: str) -> None:
        """Send a reset code if the account exists; the caller learns nothing either way."""
        key = rules.normalized_email(email)
        if rules.check_email(key, ("email",)):
            return
        customer_id = store.customer_id_for_email(key)
        if customer_id is None:
            return
        now = self._clock()
        code = new_reset_token()
        store.put_reset(store.reset_item(digest_of(code), customer_id, now + RESET_CODE_LIFETIME))
        if self._outbox is not None:
            self._outbox.enqueue(
                Notification.new(
                    Channel.EMAIL,
                    TemplateName.PASSWORD_RESET,
                    key,
                    {"token": code, "expires_in": "1 hour"},
                    now,
                )
            )

    def reset_password(self, code: str, new: str) -> Session:
        """Set a new password with a reset code (once, before it expires); ends all sessions."""
        problems = rules.check_password(new, ("newPassword",))
        if problems:
            raise Rejected(problems)
        customer_id = store.consume_reset(digest_of(code.strip()), self._clock())
        if customer_id is None:
            raise _rejected(
                Code.INVALID_RESET_TOKEN,
                "This reset code is unknown, used or expired: ask for a new one",
                "token",
            )
        return self._set_password(customer_id, new)

    # -- profile -----------------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer | None:
        """The customer's profile."""
        record = store.get_customer(customer_id)
        return None if record is None else record.customer

    def update_profile(self, customer_id: str, changes: ProfileChanges) -> Customer:
        """Change names, phone, marketing consents and demographics; the rest stays."""
        now = self._clock()
        phone = rules.normalized_phone(changes.phone)
        problems: list[Problem] = []
        for name, value in (("firstName", changes.first_name), ("lastName", changes.last_name)):
            if value is not None:
                problems += rules.check_name(value.strip(), (name,))
        problems += rules.check_phone(phone, ("phone",))
        if changes.demographics is not None:
            problems += rules.check_demographics(changes.demographics, now.year, ("demographics",))
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
            )

        return self._replace(customer_id, edit)

    def remember_cart(self, customer_id: str, cart_token: str) -> None:
        """Make ``cart_token`` the customer's current cart."""
        if cart_token:
            self._replace(customer_id, lambda c: replace(c, cart_id=cart_token))

    # -- addresses ---------------------------------------------------------------------

    def addresses(self, customer_id: str) -> list[CustomerAddress]:
        """The customer's saved addresses, oldest first."""
        return store.list_addresses(customer_id)

    def create_address(
        self, customer_id: str, fields: AddressFields, *, make_default: bool = False
    ) -> tuple[CustomerAddress, Customer]:
        """Save a new address; the first one (or ``make_default``) becomes the default."""
        normalized = _normalized_address(fields)
        problems = rules.check_address(normalized, ("address",))
        if problems:
            raise Rejected(problems)
        existing = store.list_addresses(customer_id)
        if len(existing) >= MAX_ADDRESSES:
            raise _rejected(
                Code.TOO_MANY_ADDRESSES, f"At most {MAX_ADDRESSES} saved addresses", "address"
            )
        address = CustomerAddress(new_id(), normalized)
        store.put_address(customer_id, address)
        customer = self._default_after_change(customer_id, address.id, make_default or not existing)
        return address, customer

    def update_address(
        self,
        customer_id: str,
        address_id: str,
        fields: AddressFields,
        *,
        make_default: bool = False,
    ) -> tuple[CustomerAddress, Customer]:
        """Replace a saved address of this customer (never another customer's)."""
        normalized = _normalized_address(fields)
        problems = rules.check_address(normalized, ("address",))
        if problems:
            raise Rejected(problems)
        if not any(a.id == address_id for a in store.list_addresses(customer_id)):
            raise _address_not_found()
        address = CustomerAddress(address_id, normalized)
        store.put_address(customer_id, address)
        return address, self._default_after_change(customer_id, address_id, make_default)

    def delete_address(self, customer_id: str, address_id: str) -> Customer:
        """Remove a saved address; the default moves to the oldest remaining one."""
        if not store.delete_address(customer_id, address_id):
            raise _address_not_found()
        remaining = store.list_addresses(customer_id)

        def edit(customer: Customer) -> Customer:
            if customer.default_address_id != address_id:
                return customer
            return replace(customer, default_address_id=remaining[0].id if remaining else None)

        return self._replace(customer_id, edit)

    # -- helpers ---------------------------------------------------------------------

    def _access_tokens(self) -> AccessTokens:
        if self._tokens is None:
            raise RuntimeError("customer accounts need COMMERCE_JWT_SECRET")
        return self._tokens

    def _open_session(self, customer: Customer, cart_token: str | None) -> Session:
        now = self._clock()
        access, access_expires = self._access_tokens().issue(customer.id, now)
        plaintext = new_refresh_token()
        first = store.RefreshRecord(
            digest=digest_of(plaintext),
            customer_id=customer.id,
            family_id=new_id(),
            expires_at=now + REFRESH_TOKEN_LIFETIME,
            used_at=None,
        )
        store.start_session(first, now)
        if cart_token:
            token = self._carts.take_over(cart_token, customer.id, customer.cart_id)
            if token and token != customer.cart_id:
                customer = self._replace(customer.id, lambda c: replace(c, cart_id=token))
        return Session(customer, TokenPair(access, access_expires, plaintext, first.expires_at))

    def _set_password(self, customer_id: str, new: str) -> Session:
        digest = self._passwords.hash(rules.normalized_password(new))
        customer = self._replace(customer_id, lambda c: c, password_hash=digest)
        store.revoke_all_sessions(customer_id, self._clock())
        return self._open_session(customer, None)

    def _default_after_change(
        self, customer_id: str, address_id: str, make_default: bool
    ) -> Customer:
        if not make_default:
            found = self.customer(customer_id)
            if found is None:
                raise _address_not_found()
            return found
        return self._replace(customer_id, lambda c: replace(c, default_address_id=address_id))

    def _replace(
        self,
        customer_id: str,
        edit: Callable[[Customer], Customer],
        *,
        password_hash: str | None = None,
    ) -> Customer:
        """Apply ``edit`` to the stored profile, re-reading after a concurrent change."""
        for attempt in range(MAX_ATTEMPTS):
            record = store.get_customer(customer_id)
            if record is None:
                raise _rejected(Code.INVALID, "No such customer")
            changed = edit(record.customer)
            try:
                store.replace_customer(record, changed, password_hash)
            except store.CustomerChanged:
                self._pause(0.005 * (attempt + 1))
                continue
            return changed
        raise _rejected(Code.CONCURRENT_UPDATE, "The account is being changed elsewhere; try again")


def _normalized_address(fields: AddressFields) -> AddressFields:
    return replace(
        fields,
        country_code=fields.country_code.strip().upper(),
        phone=rules.normalized_phone(fields.phone),
    )


def _address_not_found() -> Rejected:
    return _rejected(Code.ADDRESS_NOT_FOUND, "You have no such address", "id")


def consent_changes(
    email: bool | None, sms: bool | None, push: bool | None
) -> dict[ConsentChannel, bool]:
    """The consents a client sent, by channel (left-out channels stay as they are)."""
    given: Sequence[tuple[ConsentChannel, bool | None]] = (
        (ConsentChannel.EMAIL, email),
        (ConsentChannel.SMS, sms),
        (ConsentChannel.PUSH, push),
    )
    return {channel: granted for channel, granted in given if granted is not None}
