"""Visitor tokens: a long-lived, first-party visitor id the client cannot forge.

``v1.<visitor id>.<signature>``: the id is random (``commerce.ids.new_id``: 80 random
bits), the signature HMAC-SHA256 of the id under the store's visitor key, URL-safe
base64. A client may keep it for years (a cookie, the app's keychain); the server
keeps no session for it, and a token signed with another key, or altered in any
character, is refused before anything is read or written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from commerce.ids import is_id

_PREFIX = "v1"
MAX_TOKEN = 128


def _signature(key: bytes, visitor_id: str) -> str:
    mac = hmac.new(key, f"visitor:{visitor_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def sign_visitor(key: bytes, visitor_id: str) -> str:
    """The token that names ``visitor_id``."""
    return f"{_PREFIX}.{visitor_id}.{_signature(key, visitor_id)}"


def read_visitor(key: bytes, token: str) -> str | None:
    """The visitor id of a genuine token; None for anything forged, altered or garbled."""
    if not key or len(token) > MAX_TOKEN:
        return None
    prefix, _, rest = token.partition(".")
    visitor_id, _, signature = rest.partition(".")
    if prefix != _PREFIX or not is_id(visitor_id) or not signature:
        return None
    if not hmac.compare_digest(signature, _signature(key, visitor_id)):
        return None
    return visitor_id
