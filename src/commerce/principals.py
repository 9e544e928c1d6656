"""Who a request acts for: principals, their scopes, and the shopper that prices see.

This is shared kernel: the GraphQL layer's permissions, the access context that issues
credentials, and every context that prices for a shopper read these types, so they sit
below all of them and import nothing of the application.

Every request resolves to exactly one ``Principal``: an anonymous shopper, the holder of
a staff API key, a customer (bearer token) or a partner affiliate (an API key issued to
the partner, whose principal id is the partner's id).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Channel(enum.Enum):
    """Where the order is placed (promotions may be limited to some channels)."""

    WEB = "WEB"
    MOBILE = "MOBILE"
    PARTNER_API = "PARTNER_API"


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

    @property
    def customer_id(self) -> str | None:
        """The signed-in customer's id; None for every other kind of caller."""
        return self.id if self.kind is PrincipalKind.CUSTOMER else None

    @property
    def partner_id(self) -> str | None:
        """The calling partner's id; None for every other kind of caller."""
        return self.id if self.kind is PrincipalKind.PARTNER else None


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS, None, ANONYMOUS_SCOPES)


@dataclass(frozen=True, slots=True)
class Shopper:
    """Who a cart, a checkout or an offer is priced for.

    A signed-in customer (``customer_id``), or None for anyone holding a cart's token;
    and the channel promotions are priced for. Carts, checkout and product offers all
    take this one type, so a cart shown and the order placed from it are priced alike.
    """

    customer_id: str | None = None
    channel: Channel = Channel.WEB
