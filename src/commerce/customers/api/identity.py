"""Sign-up, log-in and sessions, passwords: how a customer gets and keeps credentials.

None of these needs credentials except the password change (they are how a customer
gets them). Each returns ``userErrors`` with exact codes; a refusal writes nothing,
except that a failed log-in counts towards throttling.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.customers import rules as profile_rules
from commerce.customers.api.types import Customer, CustomerUserError
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.identity import commands, rules
from commerce.customers.identity.errors import TooManyAttempts
from commerce.customers.identity.model import Session, TokenPair
from commerce.customers.identity.service import IdentityService
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import CUSTOMER
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.loyalty.service import LoyaltyService
from commerce.problems import Problem, Rejected


def _cart_token(global_id: str | None) -> str | None:
    """The token inside a guest Cart id. A malformed one is left out, not refused: a stale
    cart on the shopper's device must never stop them from logging in."""
    return None if global_id is None else local_id_or_none(global_id, "Cart")


@strawberry.type(description="The tokens of a logged-in customer.")
class CustomerSession:
    access_token: str = strawberry.field(
        description="Send as 'Authorization: Bearer <accessToken>' on every request."
    )
    access_token_expires_at: datetime = strawberry.field(
        description="When the access token stops working (15 minutes): refresh before."
    )
    refresh_token: str = strawberry.field(
        description=(
            "Trade for new tokens with customerTokenRefresh; each works once. Keep it in "
            "secure storage, never in a URL."
        )
    )
    refresh_token_expires_at: datetime = strawberry.field(
        description="When the refresh token stops working (30 days after it was issued)."
    )

    @classmethod
    def from_domain(cls, tokens: TokenPair) -> CustomerSession:
        return cls(
            access_token=tokens.access_token,
            access_token_expires_at=tokens.access_expires_at,
            refresh_token=tokens.refresh_token,
            refresh_token_expires_at=tokens.refresh_expires_at,
        )


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

    @classmethod
    def of(cls, outcome: Outcome[Session]) -> CustomerAuthPayload:
        throttled = [p for p in outcome.problems if isinstance(p, TooManyAttempts)]
        return cls(
            customer=outcome.map(lambda s: Customer.from_domain(s.customer)),
            session=outcome.map(lambda s: CustomerSession.from_domain(s.tokens)),
            user_errors=CustomerUserError.list_of(outcome.problems),
            retry_after_seconds=throttled[0].retry_after_seconds if throttled else None,
        )

    @classmethod
    def of_tokens(cls, outcome: Outcome[TokenPair]) -> CustomerAuthPayload:
        """A refresh's payload: new tokens, no customer."""
        return cls(
            customer=None,
            session=outcome.map(CustomerSession.from_domain),
            user_errors=CustomerUserError.list_of(outcome.problems),
        )


@strawberry.type(description="The result of a change that returns nothing but its outcome.")
class CustomerOutcomePayload:
    ok: bool = strawberry.field(description="Whether it was done.")
    user_errors: list[CustomerUserError] = strawberry.field(description="Why it was not.")

    @classmethod
    def of(cls, outcome: Outcome[None]) -> CustomerOutcomePayload:
        return cls(ok=not outcome.problems, user_errors=CustomerUserError.list_of(outcome.problems))


@strawberry.input(description="A new account.")
class CustomerSignUpInput:
    email: str = strawberry.field(description="The log-in email; one account per email.")
    password: str = strawberry.field(
        description="8 to 128 characters, anything you like; common passwords are refused."
    )
    first_name: str = strawberry.field(default="", description="Given name.")
    last_name: str = strawberry.field(default="", description="Family name.")
    cart_id: strawberry.ID | None = strawberry.field(
        default=None, description="A guest cart to keep as the new customer's cart."
    )
    referral_code: str | None = strawberry.field(
        default=None,
        description=(
            "The referral code of the friend who sent the new customer (a referral link's "
            "ref); a code of no account is INVALID_REFERRAL_CODE and opens nothing."
        ),
    )

    def to_command(self, errors: InputErrors) -> commands.SignUp | None:
        email = rules.normalized_email(self.email)
        first_name, last_name = self.first_name.strip(), self.last_name.strip()
        valid = errors.check(
            [
                *rules.check_email(email, ("email",)),
                *rules.check_password(self.password, ("password",), email),
                *profile_rules.check_name(first_name, ("firstName",)),
                *profile_rules.check_name(last_name, ("lastName",)),
            ]
        )
        if not valid:
            return None
        cart = _cart_token(self.cart_id)
        return commands.SignUp(email, self.password, first_name, last_name, cart)


@strawberry.input(description="Email and password, and optionally the guest cart to bring.")
class CustomerLogInInput:
    email: str = strawberry.field(description="The log-in email.")
    password: str = strawberry.field(description="The password.")
    cart_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The guest cart the shopper filled before logging in: merged into theirs.",
    )

    def to_command(self, errors: InputErrors) -> commands.LogIn:
        # Nothing is refused before the attempt counts towards throttling.
        return commands.LogIn(self.email, self.password, _cart_token(self.cart_id))


@strawberry.input(description="A refresh token.")
class CustomerRefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token of the session.")

    def to_refresh(self, errors: InputErrors) -> commands.RefreshTokens:
        return commands.RefreshTokens(self.refresh_token)

    def to_log_out(self, errors: InputErrors) -> commands.LogOut:
        return commands.LogOut(self.refresh_token)


@strawberry.input(description="The current password and the new one.")
class CustomerPasswordChangeInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(description="8 to 128 characters.")

    def to_command(self, errors: InputErrors) -> commands.ChangePassword | None:
        if not errors.check(rules.check_password(self.new_password, ("newPassword",))):
            return None
        return commands.ChangePassword(self.current_password, self.new_password)


@strawberry.input(description="Where to send a password reset code.")
class CustomerPasswordResetRequestInput:
    email: str = strawberry.field(description="The account's email.")

    def to_command(self, errors: InputErrors) -> commands.RequestPasswordReset:
        # A malformed email is not refused either: the answer never tells who has an account.
        return commands.RequestPasswordReset(self.email)


@strawberry.input(description="A reset code from the email, and the new password.")
class CustomerPasswordResetInput:
    token: str = strawberry.field(description="The code sent by email (valid one hour, once).")
    new_password: str = strawberry.field(description="8 to 128 characters.")

    def to_command(self, errors: InputErrors) -> commands.ResetPassword | None:
        if not errors.check(rules.check_password(self.new_password, ("newPassword",))):
            return None
        return commands.ResetPassword(self.token, self.new_password)


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description=(
            "Open an account and log in. With cartId, that guest cart becomes the customer's."
        )
    )
    async def customer_sign_up(
        self, info: Info[Context, None], input: CustomerSignUpInput
    ) -> CustomerAuthPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        identity, loyalty = info.context.services.identity, info.context.services.loyalty
        code = input.referral_code
        return CustomerAuthPayload.of(
            await run_use_case(
                info, errors, command, lambda c: _sign_up(identity, loyalty, c, code)
            )
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
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        identity, address = info.context.services.identity, info.context.client_address
        return CustomerAuthPayload.of(
            await run_use_case(info, errors, command, lambda c: identity.log_in(c, address))
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
        errors = InputErrors(Code.INVALID)
        command = input.to_refresh(errors)
        identity = info.context.services.identity
        return CustomerAuthPayload.of_tokens(
            await run_use_case(info, errors, command, identity.refresh)
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
        errors = InputErrors(Code.INVALID)
        command = input.to_log_out(errors)
        identity = info.context.services.identity
        return CustomerOutcomePayload.of(
            await run_use_case(info, errors, command, identity.log_out)
        )

    @strawberry.mutation(
        description="Change the password; every other session of the account ends.",
        permission_classes=CUSTOMER,
    )
    async def customer_password_change(
        self, info: Info[Context, None], input: CustomerPasswordChangeInput
    ) -> CustomerAuthPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        identity, me = info.context.services.identity, _me(info)
        return CustomerAuthPayload.of(
            await run_use_case(info, errors, command, lambda c: identity.change_password(me, c))
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
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        identity = info.context.services.identity
        return CustomerOutcomePayload.of(
            await run_use_case(info, errors, command, identity.request_password_reset)
        )

    @strawberry.mutation(
        description=(
            "Set a new password with an emailed reset code (once, within an hour) and log "
            "in; every other session of the account ends."
        )
    )
    async def customer_password_reset(
        self, info: Info[Context, None], input: CustomerPasswordResetInput
    ) -> CustomerAuthPayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        identity = info.context.services.identity
        return CustomerAuthPayload.of(
            await run_use_case(info, errors, command, identity.reset_password)
        )


def _sign_up(
    identity: IdentityService, loyalty: LoyaltyService, command: commands.SignUp, code: str | None
) -> Session:
    """Open the account, with the friend's referral recorded when a code came: a code of
    no account refuses the sign-up before anything is written."""
    if code is None or not code.strip():
        return identity.sign_up(command)
    if loyalty.referrer_of(code) is None:
        raise Rejected(
            [Problem(Code.INVALID_REFERRAL_CODE, "No customer has this code", ("referralCode",))]
        )
    session = identity.sign_up(command)
    # A new account has no orders and no referral yet: nothing can refuse it.
    loyalty.apply_referral(session.customer.id, code)
    return session


def _me(info: Info[Context, None]) -> str:
    customer_id = info.context.principal.customer_id
    assert customer_id is not None  # CUSTOMER let the request through
    return customer_id
