"""Checkout's idempotency records in the single table.

Key (see ``docs/data-model.md``): ``CHECKOUT#<sha256 of the key> / KEY`` names the
order a key placed and the digest of the cart it was used with; written with
``attribute_not_exists`` in the checkout transaction, so two requests with one key
place one order. ``ttl``: a day after, as long as Stripe keeps its own keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet

KEY_SK = "KEY"
KEY_LABEL = "idempotency"


def key_pk(key_digest: str) -> str:
    return f"CHECKOUT#{key_digest}"


class CheckoutKeyItem(TableItem, discriminator="CheckoutKey"):
    """Which order an idempotency key placed, for which cart."""

    order_id = UnicodeAttribute()
    cart_digest = UnicodeAttribute()


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """An idempotency key already used."""

    order_id: str
    cart_digest: str


def get_key(key_digest: str) -> KeyRecord | None:
    """The key's record, strongly consistent (a retry right after the first call sees it)."""
    try:
        item = CheckoutKeyItem.get(key_pk(key_digest), KEY_SK, consistent_read=True)
    except CheckoutKeyItem.DoesNotExist:
        return None
    return KeyRecord(item.order_id, item.cart_digest)


def add_key(
    writes: WriteSet, key_digest: str, order_id: str, cart_digest: str, expires: datetime
) -> None:
    """Claim the key in the checkout transaction; taken already fails ``KEY_LABEL``."""
    item = CheckoutKeyItem(
        pk=key_pk(key_digest),
        sk=KEY_SK,
        order_id=order_id,
        cart_digest=cart_digest,
        ttl=expires,
    )
    writes.put(item, CheckoutKeyItem.pk.does_not_exist(), label=KEY_LABEL)
