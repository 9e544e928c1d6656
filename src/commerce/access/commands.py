"""What staff ask of access through the API, decoded from its inputs.

The service checks names, scopes, expiry and channel itself: the CLI calls the same use
cases with what an operator typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commerce.access.model import Scope
from commerce.principals import Channel


@dataclass(frozen=True, slots=True)
class CreatePartner:
    """A new affiliate partner."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class CreateApiKey:
    """A new API key, for staff or for a partner (its local id)."""

    name: str
    scopes: frozenset[Scope]
    partner_id: str | None = None
    expires_at: datetime | None = None
    channel: Channel | None = None


@dataclass(frozen=True, slots=True)
class RevokeApiKey:
    """The key to stop, by its public prefix."""

    prefix: str
