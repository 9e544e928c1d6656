"""Carts in the single table.

Keys (see ``docs/data-model.md``):

- ``CART#<token> / CART``: the cart with its lines, buyer identity, shipping address and
  chosen delivery option, as one item. A cart is always read and written whole and holds
  at most ``MAX_LINES`` small lines, so one item keeps a read to one GetItem and a change
  to one conditional PutItem (no transaction needed). ``version`` makes every change a
  compare-and-swap, and ``ttl`` (the expiry, refreshed on each change) lets DynamoDB delete
  idle carts.
- ``GSI2PK = CARTIDLE#<yyyy-mm-ddThh of the last change> / GSI2SK = <last change>#<token>``:
  only on carts with lines and someone to remind (a customer's, or a guest's with an email
  or phone that accepts marketing), so the abandoned-cart sweep
  (``commerce.jobs``) queries the hour buckets of its window instead of scanning. Every
  change rewrites the item, which moves the cart to the bucket of its new last change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, PutError

from commerce.cart.model import Address, BuyerIdentity, Cart, CartLine
from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.money import Currency

CART_SK = "CART"


def cart_pk(token: str) -> str:
    return f"CART#{token}"


class CartItem(TableItem, discriminator="Cart"):
    """A cart with its lines; expires through the table's ``ttl`` attribute."""

    cart_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Lines, buyer and address are read and written with the cart, never queried alone.
    body = JSONAttribute()
    version = VersionAttribute()


@dataclass(frozen=True, slots=True)
class CartRecord:
    """A cart as stored, with the version a change must match."""

    cart: Cart
    version: int


class CartChanged(Exception):
    """Someone changed (or DynamoDB removed) the cart since it was read; nothing was written."""


# -- conversions ---------------------------------------------------------------------------


def _buyer_to_json(buyer: BuyerIdentity) -> dict[str, Any]:
    return {
        "email": buyer.email,
        "phone": buyer.phone,
        "emailMarketing": buyer.accepts_email_marketing,
        "smsMarketing": buyer.accepts_sms_marketing,
    }


def _buyer_from_json(raw: dict[str, Any]) -> BuyerIdentity:
    return BuyerIdentity(
        email=raw.get("email"),
        phone=raw.get("phone"),
        accepts_email_marketing=bool(raw.get("emailMarketing", False)),
        accepts_sms_marketing=bool(raw.get("smsMarketing", False)),
    )


_ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
)


def _address_to_json(address: Address | None) -> list[str] | None:
    return None if address is None else [getattr(address, name) for name in _ADDRESS_FIELDS]


def _address_from_json(raw: list[str] | None) -> Address | None:
    return None if raw is None else Address(*raw)


def _cart_item(cart: Cart) -> CartItem:
    idle_pk, idle_sk = _idle_index_keys(cart)
    return CartItem(
        pk=cart_pk(cart.id),
        sk=CART_SK,
        cart_id=cart.id,
        currency=cart.currency.value,
        created_at=cart.created_at,
        updated_at=cart.updated_at,
        ttl=cart.expires_at,
        gsi2pk=idle_pk,
        gsi2sk=idle_sk,
        body={
            "lines": [[ln.id, ln.product_id, ln.variant_id, ln.quantity] for ln in cart.lines],
            "buyer": _buyer_to_json(cart.buyer_identity),
            "address": _address_to_json(cart.shipping_address),
            "delivery": cart.delivery_option_id,
            "owner": cart.owner_id,
            "codes": list(cart.discount_codes),
            "affiliate": cart.affiliate_id,
            "points": cart.loyalty_points,
            "visitor": cart.visitor_id,
        },
    )


IDLE_BUCKET_FORMAT = "%Y-%m-%dT%H"


def idle_bucket(at: datetime) -> str:
    """The GSI2 partition of carts last changed in ``at``'s hour (UTC)."""
    return f"CARTIDLE#{at.astimezone(UTC).strftime(IDLE_BUCKET_FORMAT)}"


def _idle_index_keys(cart: Cart) -> tuple[str | None, str | None]:
    # Sparse: carts nobody may be reminded of stay out (no lines; a guest with neither a
    # consenting email nor a consenting phone). A customer's cart is in: their account's
    # consents and devices decide (the recovery context reads them).
    buyer = cart.buyer_identity
    reachable = (
        cart.owner_id is not None
        or (buyer.email and buyer.accepts_email_marketing)
        or (buyer.phone and buyer.accepts_sms_marketing)
    )
    if not cart.lines or not reachable:
        return None, None
    return idle_bucket(cart.updated_at), f"{cart.updated_at.astimezone(UTC).isoformat()}#{cart.id}"


def _cart_from_item(item: CartItem) -> Cart:
    body = item.body
    return Cart(
        id=item.cart_id,
        currency=Currency(item.currency),
        created_at=item.created_at,
        updated_at=item.updated_at,
        expires_at=item.ttl,
        lines=tuple(
            CartLine(line_id, product_id, variant_id, int(quantity))
            for line_id, product_id, variant_id, quantity in body.get("lines", [])
        ),
        buyer_identity=_buyer_from_json(body.get("buyer") or {}),
        shipping_address=_address_from_json(body.get("address")),
        delivery_option_id=body.get("delivery"),
        owner_id=body.get("owner"),
        discount_codes=tuple(body.get("codes") or ()),
        affiliate_id=body.get("affiliate"),
        loyalty_points=int(body.get("points") or 0),
        visitor_id=body.get("visitor"),
    )


# -- reads and writes ----------------------------------------------------------------------


def get_cart_record(token: str) -> CartRecord | None:
    """The cart with this token, strongly consistent: a shopper sees their own last change."""
    try:
        item = CartItem.get(cart_pk(token), CART_SK, consistent_read=True)
    except CartItem.DoesNotExist:
        return None
    return CartRecord(_cart_from_item(item), int(item.version or 0))


def insert_cart(cart: Cart) -> CartRecord:
    """Store a new cart, as stored; ``CartChanged`` if the token is taken (never, with 192
    random bits)."""
    item = _cart_item(cart)
    _save(item, CartItem.pk.does_not_exist())
    return CartRecord(cart, int(item.version or 0))


def replace_cart(old: CartRecord, new: Cart) -> CartRecord:
    """Write ``new`` over ``old`` if nobody changed it meanwhile; the record as stored.

    ``CartChanged`` when someone did (nothing is written then).
    """
    item = _cart_item(new)
    item.version = old.version
    _save(item, CartItem.pk.exists())
    return CartRecord(new, int(item.version or 0))


def delete_cart(old: CartRecord) -> None:
    """Remove a cart (a guest cart merged into a customer's) if nobody changed it meanwhile."""
    item = _cart_item(old.cart)
    item.version = old.version
    try:
        item.delete(condition=CartItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise CartChanged from None
        raise


def add_checkout_deletion(writes: WriteSet, token: str, version: int) -> None:
    """Delete the cart in a checkout transaction, on condition it is still at ``version``."""
    item = CartItem(pk=cart_pk(token), sk=CART_SK)
    item.version = version
    writes.delete(item, CartItem.pk.exists(), label="cart")


def _save(item: CartItem, condition: Any) -> None:
    # save() adds the version check to the condition and increments the version.
    try:
        item.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise CartChanged from None
        raise


def carts_idle_since(hour: datetime) -> list[Cart]:
    """Carts with lines and someone to remind, last changed in ``hour`` (UTC)."""
    return [
        _cart_from_item(item)
        for item in CartItem.gsi2.query(idle_bucket(hour))
        if isinstance(item, CartItem)
    ]


def unchanged_check(cart: Cart) -> tuple[type[CartItem], str, str, Any]:
    """``WriteSet.check`` arguments that hold while the cart is as ``cart`` saw it."""
    return CartItem, cart_pk(cart.id), CART_SK, CartItem.updated_at == cart.updated_at
