"""What identity hands out and keeps: token pairs, sessions, stored refresh tokens.

Pure: no storage, no GraphQL. Password hashes never appear here: they stay inside the
services that check them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commerce.customers.model import Customer


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a successful log-in or refresh hands the client."""

    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in customer: the profile (with the cart they now have) and the tokens."""

    customer: Customer
    tokens: TokenPair


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    """A stored refresh token: only its digest, its family (session) and its state."""

    digest: str
    customer_id: str
    family_id: str
    expires_at: datetime
    used_at: datetime | None
