"""Download grants and their tokens: pure values and the signing rule.

A link is ``/downloads/<token>``. The token names the grant (order id and line id)
and carries an HMAC of it under the store's signing key, so it cannot be guessed or
forged, the database never holds it, and the same link can be shown again at any
time. Expiry and the downloads left live on the grant, checked when it is redeemed.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from commerce.catalog.model import VariantKind

# 128 bits of the HMAC: beyond guessing, and a link stays short.
_SIGNATURE_HEX = 32


class PurchasedLine(Protocol):
    """What a grant needs of an order line (the orders context's ``OrderLine`` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def product_id(self) -> str: ...
    @property
    def variant_id(self) -> str: ...
    @property
    def kind(self) -> VariantKind: ...
    @property
    def title(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def variant_title(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DownloadGrant:
    """The right to download one digital line of a paid order."""

    order_id: str
    line_id: str
    title: str
    asset_key: str
    expires_at: datetime
    downloads_left: int
    token: str

    def usable(self, now: datetime) -> bool:
        """Whether the link would deliver the file now."""
        return self.downloads_left > 0 and now < self.expires_at


class DownloadRefusal(enum.Enum):
    """Why a link delivers nothing (the codes a client sees)."""

    NOT_FOUND = "DOWNLOAD_NOT_FOUND"
    EXPIRED = "DOWNLOAD_EXPIRED"
    USED_UP = "DOWNLOAD_LIMIT_REACHED"
    FILE_MISSING = "FILE_MISSING"


class DownloadRefused(Exception):
    """A link that delivers nothing; nothing was counted."""

    def __init__(self, reason: DownloadRefusal, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(f"{reason.value}: {message}")


def sign_grant(key: bytes, order_id: str, line_id: str) -> str:
    """The token of the grant for ``line_id`` of ``order_id``."""
    name = base64.urlsafe_b64encode(f"{order_id}/{line_id}".encode()).decode().rstrip("=")
    return f"{name}.{_signature(key, order_id, line_id)}"


def read_token(key: bytes, token: str) -> tuple[str, str] | None:
    """(order id, line id) of a genuine token; None for anything forged or garbled."""
    name, dot, signature = token.partition(".")
    if not dot or len(token) > 512:
        return None
    try:
        padded = name + "=" * (-len(name) % 4)
        order_id, slash, line_id = (
            base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8").partition("/")
        )
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not slash or not order_id or not line_id:
        return None
    if not hmac.compare_digest(signature, _signature(key, order_id, line_id)):
        return None
    return order_id, line_id


def _signature(key: bytes, order_id: str, line_id: str) -> str:
    message = f"download:{order_id}:{line_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_SIGNATURE_HEX]


def download_title(line: PurchasedLine) -> str:
    """What the link is called: the product and its format ("Dune (E-book)")."""
    if line.variant_title and line.variant_title != "Default":
        return f"{line.title} ({line.variant_title})"
    return line.title
