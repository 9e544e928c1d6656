"""Principals and scopes: who a request acts for and what it may touch.

Every request resolves to exactly one ``Principal``: an anonymous shopper, the
holder of a staff API key, a customer (bearer token) or a partner affiliate (an
API key issued to the partner, whose principal id is the partner's id).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from commerce.pricing.model import Channel


class Scope(enum.Enum):
    """A permission carried by a credential."""

    STOREFRONT_READ = "storefront:read"
    CHECKOUT = "checkout"
    PARTNER_REPORTS = "partner:reports"
    ADMIN = "admin"


class PrincipalKind(enum.Enum):
    """The kinds of caller the API knows."""

    ANONYMOUS = "ANONYMOUS"
    API_KEY = "API_KEY"
    CUSTOMER = "CUSTOMER"
    PARTNER = "PARTNER"


ANONYMOUS_SCOPES = frozenset({Scope.STOREFRONT_READ, Scope.CHECKOUT})


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request.

    ``channel`` is the sales channel fixed by the credential (an API key's), which
    promotions are priced for; None when the credential fixes none (anonymous shoppers
    and customers may then name one in a header).
    """

    kind: PrincipalKind
    id: str | None
    scopes: frozenset[Scope]
    channel: Channel | None = None

    def has(self, scope: Scope) -> bool:
        """Whether this caller holds ``scope`` (admin holds every scope)."""
        return scope in self.scopes or Scope.ADMIN in self.scopes

    @property
    def is_admin(self) -> bool:
        """Staff with the admin scope."""
        return Scope.ADMIN in self.scopes


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS, None, ANONYMOUS_SCOPES)


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
