"""API key use cases: create (shown once), list, revoke, and authenticate a request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from commerce.access import keys, store
from commerce.access.model import ANONYMOUS, ApiKey, Principal, PrincipalKind, Scope
from commerce.ids import new_id

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

    def create_key(self, name: str, scopes: frozenset[Scope]) -> CreatedKey:
        """Make a key; the plaintext is returned here and nowhere else."""
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"a key name is 1 to {MAX_NAME_LENGTH} characters")
        if not scopes:
            raise ValueError("a key needs at least one scope")
        for _ in range(5):
            made = keys.make_key()
            key = ApiKey(
                id=new_id(),
                name=name,
                prefix=made.prefix,
                scopes=scopes,
                created_at=self._clock(),
            )
            if store.insert_key(key, made.digest):
                return CreatedKey(key=key, plaintext=made.plaintext)
        raise RuntimeError("could not find a free key prefix")

    def list_keys(self) -> list[ApiKey]:
        """Every key with its state, never a secret."""
        return store.list_keys()

    def revoke_key(self, prefix: str) -> ApiKey | None:
        """Stop a key from working; None when no key has that prefix."""
        return store.mark_revoked(prefix, self._clock())

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
        self._note_use(prefix)
        kind = PrincipalKind.PARTNER if key.partner_id else PrincipalKind.API_KEY
        return Principal(kind, key.partner_id or key.id, key.scopes)

    def _note_use(self, prefix: str) -> None:
        now = self._monotonic()
        with self._lock:
            last = self._touched.get(prefix)
            if last is not None and now - last < LAST_USED_RESOLUTION_SECONDS:
                return
            self._touched[prefix] = now
        store.touch_last_used(prefix, self._clock())
