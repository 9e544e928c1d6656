"""API key use cases: create (shown once), list, revoke, and authenticate a request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from commerce import contact
from commerce.access import keys, store
from commerce.access.commands import CreateApiKey, CreatePartner, RevokeApiKey
from commerce.access.errors import AccessErrorCode as Code
from commerce.access.model import (
    ANONYMOUS,
    ApiKey,
    Partner,
    Principal,
    PrincipalKind,
    Scope,
    default_channel,
)
from commerce.ids import new_id
from commerce.principals import Channel
from commerce.problems import Problem, Rejected

MAX_NAME_LENGTH = 100
# last_used_at is a hint for staff, not an audit log: writing it on every request
# would double the cost of each authenticated call.
LAST_USED_RESOLUTION_SECONDS = 300.0


class InvalidApiKey(Exception):
    """A request carried a key that is malformed, unknown or revoked."""


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key: ``plaintext`` is the only time the secret is ever visible."""

    key: ApiKey
    plaintext: str


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _channel_problems(channel: Channel | None, partner_id: str | None) -> list[Problem]:
    """A partner's key sells through PARTNER_API, and no other key may claim it."""
    if channel is None or channel is default_channel(partner_id):
        return []
    if partner_id is not None:
        message = "A partner's key always prices as PARTNER_API"
    elif channel is Channel.PARTNER_API:
        message = "Only a partner's key prices as PARTNER_API"
    else:
        return []
    return [Problem(Code.CHANNEL_NOT_ALLOWED, message, ("channel",))]


class AccessService:
    """Issues API keys and turns request credentials into principals."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._monotonic = monotonic
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The service's clock (keys expire by it)."""
        return self._clock()

    def create_key(
        self,
        name: str,
        scopes: frozenset[Scope],
        *,
        partner_id: str | None = None,
        expires_at: datetime | None = None,
        channel: Channel | None = None,
    ) -> CreatedKey:
        """``issue_key`` with its command spelled out (the CLI, scripts and tests)."""
        return self.issue_key(CreateApiKey(name, scopes, partner_id, expires_at, channel))

    def issue_key(self, command: CreateApiKey) -> CreatedKey:
        """Make a key; the plaintext is returned here and nowhere else.

        ``Rejected`` lists every problem: a name of 1 to 100 characters, at least one
        scope, an existing partner (whose keys may not carry the admin scope), an expiry
        in the future, a channel that fits the key (PARTNER_API for a partner's keys and
        for no other). Without a channel a partner's key gets PARTNER_API, any other WEB.
        """
        scopes, partner_id, channel = command.scopes, command.partner_id, command.channel
        expires_at = command.expires_at
        name = command.name.strip()
        problems: list[Problem] = []
        if not name:
            problems.append(Problem(Code.BLANK, "A key needs a name", ("name",)))
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(
                Problem(Code.TOO_LONG, f"A key name is at most {MAX_NAME_LENGTH}", ("name",))
            )
        if not scopes:
            problems.append(
                Problem(Code.SCOPE_REQUIRED, "A key needs at least one scope", ("scopes",))
            )
        if partner_id is not None:
            if store.get_partner(partner_id) is None:
                problems.append(Problem(Code.PARTNER_NOT_FOUND, "No such partner", ("partnerId",)))
            if Scope.ADMIN in scopes:
                problems.append(
                    Problem(
                        Code.SCOPE_NOT_ALLOWED,
                        "A partner's key cannot have the admin scope",
                        ("scopes",),
                    )
                )
        problems.extend(_channel_problems(channel, partner_id))
        if expires_at is not None and expires_at <= self._clock():
            problems.append(
                Problem(Code.EXPIRY_IN_PAST, "The expiry must be in the future", ("expiresAt",))
            )
        if problems:
            raise Rejected(problems)
        for _ in range(5):
            made = keys.make_key()
            key = ApiKey(
                id=new_id(),
                name=name,
                prefix=made.prefix,
                scopes=scopes,
                created_at=self._clock(),
                partner_id=partner_id,
                expires_at=expires_at,
                channel=channel or default_channel(partner_id),
            )
            if store.insert_key(key, made.digest):
                return CreatedKey(key=key, plaintext=made.plaintext)
        raise RuntimeError("could not find a free key prefix")

    def list_keys(self, prefix: str | None = None) -> list[ApiKey]:
        """Every key with its state (or the one with ``prefix``), never a secret."""
        if prefix is not None:
            found = store.get_key(prefix) if keys.is_prefix(prefix) else None
            return [] if found is None else [found[0]]
        return store.list_keys()

    def partner_keys(self, partner_id: str) -> list[ApiKey]:
        """One partner's keys, oldest first."""
        return store.list_partner_keys(partner_id)

    def create_partner(self, name: str, email: str) -> Partner:
        """``open_partner`` with its command spelled out (the CLI, scripts and tests)."""
        return self.open_partner(CreatePartner(name, email))

    def open_partner(self, command: CreatePartner) -> Partner:
        """Open an affiliate partner account (staff only, checked by the API)."""
        name, email = command.name.strip(), command.email.strip().lower()
        problems: list[Problem] = []
        if not name:
            problems.append(Problem(Code.BLANK, "A partner needs a name", ("name",)))
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(
                Problem(Code.TOO_LONG, f"A name is at most {MAX_NAME_LENGTH}", ("name",))
            )
        if not contact.is_email(email):
            problems.append(Problem(Code.INVALID, "Not a valid email address", ("email",)))
        if problems:
            raise Rejected(problems)
        partner = Partner(id=new_id(), name=name, email=email, created_at=self._clock())
        store.insert_partner(partner)
        return partner

    def partners(self) -> list[Partner]:
        """Every partner, oldest first."""
        return store.list_partners()

    def partner(self, partner_id: str) -> Partner | None:
        """A partner by id."""
        return store.get_partner(partner_id)

    def revoke_key(self, prefix: str) -> ApiKey:
        """``revoke`` with its command spelled out (the CLI, scripts and tests)."""
        return self.revoke(RevokeApiKey(prefix))

    def revoke(self, command: RevokeApiKey) -> ApiKey:
        """Stop a key from working; ``Rejected`` when no key has that prefix."""
        prefix = command.prefix.strip()
        revoked = store.mark_revoked(prefix, self._clock()) if keys.is_prefix(prefix) else None
        if revoked is None:
            raise Rejected([Problem(Code.KEY_NOT_FOUND, "No key has this prefix", ("prefix",))])
        return revoked

    def authenticate(self, api_key: str | None) -> Principal:
        """The principal for a request's ``X-API-Key`` header (anonymous without one)."""
        if api_key is None:
            return ANONYMOUS
        prefix = keys.prefix_of(api_key.strip())
        found = store.get_key(prefix) if prefix else None
        if found is None or prefix is None:
            raise InvalidApiKey("unknown API key")
        key, digest = found
        if not keys.matches(api_key.strip(), digest):
            raise InvalidApiKey("unknown API key")
        if not key.active:
            raise InvalidApiKey("API key has been revoked")
        if key.expired(self._clock()):
            assert key.expires_at is not None
            raise InvalidApiKey(
                f"API key expired at {key.expires_at.isoformat()}; ask staff for a new one"
            )
        self._note_use(prefix)
        kind = PrincipalKind.PARTNER if key.partner_id else PrincipalKind.API_KEY
        return Principal(kind, key.partner_id or key.id, key.scopes, key.channel)

    def _note_use(self, prefix: str) -> None:
        now = self._monotonic()
        with self._lock:
            last = self._touched.get(prefix)
            if last is not None and now - last < LAST_USED_RESOLUTION_SECONDS:
                return
            self._touched[prefix] = now
        store.touch_last_used(prefix, self._clock())
