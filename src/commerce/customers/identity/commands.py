"""What a client asks of identity, decoded and checked by the API's inputs.

Emails are normalised here; a password keeps the characters the client typed (the
services normalise it as they hash and compare it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignUp:
    """A new account; the email normalised, the password and names checked."""

    email: str
    password: str
    first_name: str = ""
    last_name: str = ""
    # A guest cart (its token) that becomes the new customer's cart.
    cart_token: str | None = None


@dataclass(frozen=True, slots=True)
class LogIn:
    """An email and password as typed, and the guest cart to bring along."""

    email: str
    password: str
    cart_token: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshTokens:
    """A refresh token to trade for new tokens."""

    refresh_token: str


@dataclass(frozen=True, slots=True)
class LogOut:
    """A refresh token whose session ends."""

    refresh_token: str


@dataclass(frozen=True, slots=True)
class ChangePassword:
    """The current password and a new one (its length and commonness checked)."""

    current_password: str
    new_password: str


@dataclass(frozen=True, slots=True)
class RequestPasswordReset:
    """The account email a reset code goes to."""

    email: str


@dataclass(frozen=True, slots=True)
class ResetPassword:
    """An emailed reset code and the new password (checked)."""

    code: str
    new_password: str
