"""Signed opt-out links: a shopper stops one channel without logging in.

``o1.<payload>.<signature>``: the payload (URL-safe base64 JSON) names the channel, a
digest of the address (never the address itself: a link is forwarded, pasted, logged
by mail providers) and when the link stops working; the signature is HMAC-SHA256 of
the payload under a key derived from the store's secret. Anything altered, signed with
another key, or past its time is refused before anything is read or written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from commerce.recovery.model import RecoveryChannel

_PREFIX = "o1"
MAX_LINK = 400


class OptOutLinkInvalid(ValueError):
    """Not a link this store signed (altered, garbled, or another key's)."""


class OptOutLinkExpired(ValueError):
    """A genuine link past its time."""


@dataclass(frozen=True, slots=True)
class OptOutRequest:
    """What a genuine link asks: stop ``channel`` for the address with this digest."""

    channel: RecoveryChannel
    address_digest: str
    expires_at: datetime


def address_digest(channel: RecoveryChannel, address: str) -> str:
    """The stored name of an address: SHA-256 of the normalised address and channel."""
    normalised = address.strip().lower()
    return hashlib.sha256(f"{channel.value}:{normalised}".encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, f"opt-out:{payload}".encode(), hashlib.sha256).digest())


def sign_link(key: bytes, channel: RecoveryChannel, address: str, expires_at: datetime) -> str:
    """The token of an opt-out link for ``address`` on ``channel``."""
    body = {
        "c": channel.value,
        "a": address_digest(channel, address),
        "e": int(expires_at.timestamp()),
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{_PREFIX}.{payload}.{_sign(key, payload)}"


def read_link(key: bytes, token: str, now: datetime) -> OptOutRequest:
    """What a genuine, current link asks; ``OptOutLinkInvalid``/``OptOutLinkExpired``."""
    if not key or len(token) > MAX_LINK:
        raise OptOutLinkInvalid("not an opt-out link of this store")
    prefix, _, rest = token.partition(".")
    payload, _, signature = rest.partition(".")
    if prefix != _PREFIX or not payload or not signature:
        raise OptOutLinkInvalid("not an opt-out link of this store")
    if not hmac.compare_digest(signature, _sign(key, payload)):
        raise OptOutLinkInvalid("not an opt-out link of this store")
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        request = OptOutRequest(
            channel=RecoveryChannel(body["c"]),
            address_digest=str(body["a"]),
            expires_at=datetime.fromtimestamp(int(body["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError):
        # Signed by this store, yet unreadable: only a bug could make one.
        raise OptOutLinkInvalid("not an opt-out link of this store") from None
    if now >= request.expires_at:
        raise OptOutLinkExpired("this opt-out link has expired")
    return request
