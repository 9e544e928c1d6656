"""API key secrets: how they are made, shown once and recognised later.

A key reads ``ck_<prefix>_<secret>``. The prefix (public, 8 characters) finds
the stored record in one GetItem; the secret part carries 256 bits of
randomness, so a single SHA-256 is a safe hash for it (slow password hashes
exist for guessable secrets, which these are not) and keeps verification
cheap on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "ck_"
_KEY = re.compile(r"^ck_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: ``plaintext`` is shown once and never stored."""

    plaintext: str
    prefix: str
    digest: str


def make_key() -> NewKey:
    """A new random key with its lookup prefix and stored digest."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    secret = secrets.token_urlsafe(32)
    plaintext = f"{KEY_PREFIX}{prefix}_{secret}"
    return NewKey(plaintext=plaintext, prefix=prefix, digest=digest_of(plaintext))


def digest_of(plaintext: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def prefix_of(plaintext: str) -> str | None:
    """The lookup prefix of a well-formed key, or None for anything else."""
    match = _KEY.fullmatch(plaintext)
    return match.group(1) if match else None


def is_prefix(value: str) -> bool:
    """Whether ``value`` has the shape of a key prefix (what listings show)."""
    return len(value) == 8 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789" for c in value)


def matches(plaintext: str, digest: str) -> bool:
    """Whether ``plaintext`` is the key stored as ``digest`` (constant time)."""
    return hmac.compare_digest(digest_of(plaintext), digest)
