"""Identifiers: time-ordered, random, URL-safe.

A ULID-like layout (48-bit milliseconds + 80 random bits, Crockford base32)
keeps ids sortable by creation time, which "newest first" listings rely on,
without a coordination point such as a counter item in DynamoDB.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(now_ms: int | None = None) -> str:
    """A new 26-character identifier, lexicographically ordered by creation time."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_id(value: str) -> bool:
    """Whether ``value`` has the shape of an id made by ``new_id``."""
    return len(value) == 26 and all(c in _ALPHABET for c in value)
