"""Identity use cases: sign-up, log-in, passwords, and the sessions they open.

Inputs arrive checked (``commands.py``); a use case refuses what it finds in storage:
a taken email, a wrong password, a spent code. Log-ins are throttled (``throttle.py``),
sessions rotate their refresh tokens (``sessions.py``), and the profile a sign-up opens
is kept by ``CustomersService``. See ``docs/decisions/0009-customer-auth.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.identity import rules
from commerce.customers.identity.commands import (
    ChangePassword,
    LogIn,
    LogOut,
    RefreshTokens,
    RequestPasswordReset,
    ResetPassword,
    SignUp,
)
from commerce.customers.identity.errors import rejected
from commerce.customers.identity.model import Session, TokenPair
from commerce.customers.identity.passwords import Passwords
from commerce.customers.identity.sessions import Sessions
from commerce.customers.identity.store import resets
from commerce.customers.identity.throttle import LoginAttempt
from commerce.customers.identity.tokens import digest_of, new_reset_token
from commerce.customers.model import Customer
from commerce.customers.service import CustomersService
from commerce.ids import new_id
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.principals import Principal
from commerce.problems import Rejected

RESET_CODE_LIFETIME = timedelta(hours=1)


class Outbox(Protocol):
    """Where notifications go (the notifications context's service)."""

    def enqueue(self, notification: Notification) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class IdentityService:
    """Customers' credentials and sessions; their profiles are ``customers``'."""

    def __init__(
        self,
        customers: CustomersService,
        *,
        jwt_secret: str | None,
        outbox: Outbox | None = None,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._customers = customers
        self._sessions = Sessions(jwt_secret, clock)
        self._outbox = outbox
        self._passwords = passwords or Passwords()
        self._clock = clock

    def authenticate(self, bearer: str) -> Principal:
        """The principal of an ``Authorization: Bearer`` access token (no database call);
        ``InvalidAccessToken`` for anything but a genuine current token."""
        return self._sessions.authenticate(bearer)

    def sign_up(self, command: SignUp) -> Session:
        """Open an account and log it in; the email must be free."""
        customer = Customer(
            id=new_id(),
            email=command.email,
            created_at=self._clock(),
            first_name=command.first_name,
            last_name=command.last_name,
        )
        digest = self._passwords.hash(rules.normalized_password(command.password))
        self._customers.open_account(customer, digest)
        return self._open_session(customer, command.cart_token)

    def log_in(self, command: LogIn, address: str | None) -> Session:
        """Check the password and start a session; ``TOO_MANY_ATTEMPTS`` after many
        failures from this account or this client ``address``."""
        key = rules.normalized_email(command.email)
        # An email no account can have is never looked up.
        plausible = not rules.check_email(key, ("email",))
        attempt = LoginAttempt(key if plausible else None, address, self._clock())
        attempt.admit()
        account = self._customers.account_for_email(key) if plausible else None
        candidate = rules.normalized_password(command.password)
        stored = None if account is None else account.password_hash
        if len(candidate) > rules.MAX_PASSWORD_LENGTH or not self._passwords.verify(
            stored, candidate
        ):
            attempt.failed()
            raise rejected(Code.INVALID_CREDENTIALS, "Wrong email or password")
        assert account is not None
        attempt.succeeded()
        customer = account.customer
        if self._passwords.needs_rehash(account.password_hash):
            customer = self._customers.set_password_hash(
                customer.id, self._passwords.hash(candidate)
            )
        return self._open_session(customer, command.cart_token)

    def refresh(self, command: RefreshTokens) -> TokenPair:
        """Rotate a refresh token: new access and refresh tokens, the old one spent."""
        return self._sessions.refresh(command)

    def log_out(self, command: LogOut) -> None:
        """End the session of this refresh token (any token of the session will do)."""
        self._sessions.log_out(command)

    def change_password(self, customer_id: str, command: ChangePassword) -> Session:
        """Set a new password after checking the current one; every other session ends."""
        account = self._customers.account(customer_id)
        if account is None:
            raise rejected(Code.INVALID_CREDENTIALS, "Wrong password", "currentPassword")
        # Length and commonness were checked with the command; this needs the account.
        problems = rules.check_password(
            command.new_password, ("newPassword",), account.customer.email
        )
        if problems:
            raise Rejected(problems)
        current = rules.normalized_password(command.current_password)
        if not self._passwords.verify(account.password_hash, current):
            raise rejected(Code.INVALID_CREDENTIALS, "Wrong password", "currentPassword")
        return self._set_password(customer_id, command.new_password)

    def request_password_reset(self, command: RequestPasswordReset) -> None:
        """Send a reset code if the account exists; the caller learns nothing either way."""
        key = rules.normalized_email(command.email)
        if rules.check_email(key, ("email",)):
            return
        account = self._customers.account_for_email(key)
        if account is None:
            return
        now = self._clock()
        code = new_reset_token()
        expires = now + RESET_CODE_LIFETIME
        resets.put_reset(resets.reset_item(digest_of(code), account.customer.id, expires))
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

    def reset_password(self, command: ResetPassword) -> Session:
        """Set a new password with a reset code (once, before it expires); ends all sessions."""
        customer_id = resets.consume_reset(digest_of(command.code.strip()), self._clock())
        if customer_id is None:
            raise rejected(
                Code.INVALID_RESET_TOKEN,
                "This reset code is unknown, used or expired: ask for a new one",
                "token",
            )
        return self._set_password(customer_id, command.new_password)

    def _open_session(self, customer: Customer, cart_token: str | None) -> Session:
        session = self._sessions.open(customer)
        adopted = self._customers.adopt_cart(session.customer, cart_token)
        return replace(session, customer=adopted)

    def _set_password(self, customer_id: str, new: str) -> Session:
        digest = self._passwords.hash(rules.normalized_password(new))
        customer = self._customers.set_password_hash(customer_id, digest)
        self._sessions.end_all(customer_id)
        return self._open_session(customer, None)
