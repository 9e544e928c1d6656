"""API keys and partners: the credentials this context issues.

The principal a credential resolves to (``Principal``, ``Scope``) is shared kernel in
``commerce.principals``; it is re-exported here for the context's own modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commerce.principals import (
    ANONYMOUS,
    ANONYMOUS_SCOPES,
    Channel,
    Principal,
    PrincipalKind,
    Scope,
)

__all__ = [
    "ANONYMOUS",
    "ANONYMOUS_SCOPES",
    "ApiKey",
    "Partner",
    "Principal",
    "PrincipalKind",
    "Scope",
    "default_channel",
]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as staff see it: never the secret, only its public prefix."""

    id: str
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    partner_id: str | None = None
    expires_at: datetime | None = None
    # Where the key's callers buy, for promotions limited to a channel: PARTNER_API for a
    # partner's keys, MOBILE for the apps' storefront key, WEB otherwise.
    channel: Channel = Channel.WEB

    @property
    def active(self) -> bool:
        """Whether the key has not been revoked (it may still have expired)."""
        return self.revoked_at is None

    def expired(self, now: datetime) -> bool:
        """Whether the key's expiry has passed."""
        return self.expires_at is not None and now >= self.expires_at


def default_channel(partner_id: str | None) -> Channel:
    """A key's channel when staff chose none (or, for keys stored before channels, had none)."""
    return Channel.WEB if partner_id is None else Channel.PARTNER_API


@dataclass(frozen=True, slots=True)
class Partner:
    """An affiliate partner: calls the API with its own keys and sees its own data only."""

    id: str
    name: str
    email: str
    created_at: datetime
