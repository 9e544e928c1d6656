"""Opaque global ids (Relay): base64 of ``Type:id``, decoded with the type checked."""

from __future__ import annotations

import base64
import binascii

from commerce.graphql.errors import BadUserInput
from commerce.variant_refs import VariantRef

VARIANT_TYPE = "ProductVariant"


def to_global_id(type_name: str, local_id: str) -> str:
    """The global id clients see for a ``type_name`` with ``local_id``."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str) -> tuple[str, str] | None:
    """(type name, local id) of a well-formed global id, or None."""
    if not global_id or len(global_id) > 200:
        return None
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, local_id = raw.partition(":")
    if not sep or not type_name or not local_id:
        return None
    # The decoder skips stray characters and accepts padding: one object, one id.
    if to_global_id(type_name, local_id) != global_id:
        return None
    return type_name, local_id


def from_global_id(global_id: str, expected_type: str) -> str:
    """The local id of a global id that must name ``expected_type``; else BAD_USER_INPUT."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != expected_type:
        raise BadUserInput(f"{global_id!r} is not a valid {expected_type} ID", argument="id")
    return parsed[1]


def local_id_or_none(global_id: str, expected_type: str) -> str | None:
    """The local id when ``global_id`` names ``expected_type``; None otherwise."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != expected_type:
        return None
    return parsed[1]


def variant_global_id(variant: VariantRef) -> str:
    """The ProductVariant id of a variant: it carries its product's id, as variants are
    found through their product."""
    return to_global_id(VARIANT_TYPE, variant.local_id)


def variant_ref_or_none(global_id: str) -> VariantRef | None:
    """The variant a ProductVariant global id names; None for any other string. The one
    decoder of variant ids: carts, promotions, inventory and the catalog all use it."""
    local = local_id_or_none(global_id, VARIANT_TYPE)
    return None if local is None else VariantRef.parse(local)
