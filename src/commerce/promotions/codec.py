"""Promotions as JSON documents: how they are stored, and read back exactly.

Percentages are strings (``"12.5"``) and amounts integers in minor units, so nothing
passes through a float; dates are ISO 8601 in UTC. A variant is stored as the local id its
ProductVariant global id carries, ``<product id>.<variant id>``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from commerce.money import Currency
from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    Conditions,
    FreeShipping,
    ItemKind,
    ItemsOff,
    Match,
    MixAndMatch,
    Offer,
    OrderOff,
    Promotion,
    Selector,
    SeriesSet,
    Tier,
    TieredOff,
)
from commerce.principals import Channel
from commerce.variant_refs import VariantRef

Json = dict[str, Any]


class OfferKind(enum.Enum):
    """The kinds of offer, as stored and as staff choose them."""

    ITEMS_OFF = "ITEMS_OFF"
    ORDER_OFF = "ORDER_OFF"
    TIERED_OFF = "TIERED_OFF"
    BUY_X_GET_Y = "BUY_X_GET_Y"
    SERIES_SET = "SERIES_SET"
    BUNDLE = "BUNDLE"
    MIX_AND_MATCH = "MIX_AND_MATCH"
    FREE_SHIPPING = "FREE_SHIPPING"


def kind_of(offer: Offer) -> OfferKind:
    """The kind of an offer."""
    return OfferKind(offer_to_json(offer)["kind"])


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_date(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def selector_to_json(s: Selector) -> Json:
    """A selector as a document (empty criteria left out)."""
    raw: Json = {"match": s.match.value}
    for name in ("product_ids", "collection_ids", "tags"):
        values = getattr(s, name)
        if values:
            raw[name] = sorted(values)
    if s.variant_ids:
        raw["variant_ids"] = sorted(v.local_id for v in s.variant_ids)
    if s.kinds:
        raw["kinds"] = sorted(k.value for k in s.kinds)
    if s.attributes:
        raw["attributes"] = sorted([n, v] for n, v in s.attributes)
    if s.children:
        raw["children"] = [selector_to_json(c) for c in s.children]
    return raw


def selector_from_json(raw: Json) -> Selector:
    """The selector a document describes."""
    return Selector(
        product_ids=frozenset(raw.get("product_ids", ())),
        variant_ids=frozenset(_variant(v) for v in raw.get("variant_ids", ())),
        collection_ids=frozenset(raw.get("collection_ids", ())),
        tags=frozenset(raw.get("tags", ())),
        kinds=frozenset(ItemKind(k) for k in raw.get("kinds", ())),
        attributes=frozenset((n, v) for n, v in raw.get("attributes", ())),
        match=Match(raw.get("match", "ANY")),
        children=tuple(selector_from_json(c) for c in raw.get("children", ())),
    )


def _variant(local_id: str) -> VariantRef:
    ref = VariantRef.parse(local_id)
    if ref is None:
        raise ValueError(f"not a stored variant: {local_id!r}")
    return ref


def offer_to_json(offer: Offer) -> Json:
    """An offer as a document tagged with its kind."""
    match offer:
        case ItemsOff():
            return {
                "kind": "ITEMS_OFF",
                "selector": selector_to_json(offer.selector),
                "percent": _pct(offer.percent),
                "amount": offer.amount,
            }
        case OrderOff():
            return {
                "kind": "ORDER_OFF",
                "selector": selector_to_json(offer.selector),
                "percent": _pct(offer.percent),
                "amount": offer.amount,
                "min_subtotal": offer.min_subtotal,
                "min_quantity": offer.min_quantity,
            }
        case TieredOff():
            return {
                "kind": "TIERED_OFF",
                "selector": selector_to_json(offer.selector),
                "tiers": [
                    {"threshold": t.threshold, "percent": _pct(t.percent), "amount": t.amount}
                    for t in offer.tiers
                ],
            }
        case BuyXGetY():
            return {
                "kind": "BUY_X_GET_Y",
                "selector": selector_to_json(offer.selector),
                "buy": offer.buy,
                "get": offer.get,
                "percent": _pct(offer.percent),
                "noun": offer.noun,
            }
        case SeriesSet():
            return {
                "kind": "SERIES_SET",
                "series": offer.series,
                "volumes": list(offer.volumes),
                "percent": _pct(offer.percent),
                "series_attribute": offer.series_attribute,
                "volume_attribute": offer.volume_attribute,
            }
        case Bundle():
            return {
                "kind": "BUNDLE",
                "components": [
                    {
                        "selector": selector_to_json(c.selector),
                        "quantity": c.quantity,
                        "label": c.label,
                    }
                    for c in offer.components
                ],
                "price": offer.price,
                "percent": _pct(offer.percent),
            }
        case MixAndMatch():
            return {
                "kind": "MIX_AND_MATCH",
                "selector": selector_to_json(offer.selector),
                "count": offer.count,
                "price": offer.price,
                "noun": offer.noun,
            }
        case FreeShipping():
            return {
                "kind": "FREE_SHIPPING",
                "min_subtotal": offer.min_subtotal,
                "zone_ids": sorted(offer.zone_ids),
            }


def offer_from_json(raw: Json) -> Offer:
    """The offer a document describes."""
    kind = raw["kind"]
    if kind == "ITEMS_OFF":
        return ItemsOff(selector_from_json(raw["selector"]), _dec(raw["percent"]), raw["amount"])
    if kind == "ORDER_OFF":
        return OrderOff(
            _dec(raw["percent"]),
            raw["amount"],
            int(raw["min_subtotal"]),
            int(raw["min_quantity"]),
            selector_from_json(raw["selector"]),
        )
    if kind == "TIERED_OFF":
        tiers = tuple(
            Tier(int(t["threshold"]), _dec(t["percent"]), t["amount"]) for t in raw["tiers"]
        )
        return TieredOff(tiers, selector_from_json(raw["selector"]))
    if kind == "BUY_X_GET_Y":
        return BuyXGetY(
            selector_from_json(raw["selector"]),
            int(raw["buy"]),
            int(raw["get"]),
            Decimal(raw["percent"]),
            raw["noun"],
        )
    if kind == "SERIES_SET":
        return SeriesSet(
            raw["series"],
            tuple(raw["volumes"]),
            Decimal(raw["percent"]),
            raw["series_attribute"],
            raw["volume_attribute"],
        )
    if kind == "BUNDLE":
        components = tuple(
            BundleComponent(selector_from_json(c["selector"]), int(c["quantity"]), c["label"])
            for c in raw["components"]
        )
        return Bundle(components, raw["price"], _dec(raw["percent"]))
    if kind == "MIX_AND_MATCH":
        return MixAndMatch(
            selector_from_json(raw["selector"]), int(raw["count"]), int(raw["price"]), raw["noun"]
        )
    if kind == "FREE_SHIPPING":
        return FreeShipping(int(raw["min_subtotal"]), frozenset(raw["zone_ids"]))
    raise ValueError(f"unknown offer kind {kind!r}")


def conditions_to_json(c: Conditions) -> Json:
    """Conditions as a document."""
    return {
        "starts_at": _date(c.starts_at),
        "ends_at": _date(c.ends_at),
        "channels": sorted(ch.value for ch in c.channels),
        "customer_segments": sorted(c.customer_segments),
        "customer_tags": sorted(c.customer_tags),
        "first_order_only": c.first_order_only,
        "affiliate_ids": sorted(c.affiliate_ids),
        "requires_code": c.requires_code,
    }


def conditions_from_json(raw: Json) -> Conditions:
    """The conditions a document describes."""
    return Conditions(
        starts_at=_parse_date(raw.get("starts_at")),
        ends_at=_parse_date(raw.get("ends_at")),
        channels=frozenset(Channel(ch) for ch in raw.get("channels", ())),
        customer_segments=frozenset(raw.get("customer_segments", ())),
        customer_tags=frozenset(raw.get("customer_tags", ())),
        first_order_only=bool(raw.get("first_order_only", False)),
        affiliate_ids=frozenset(raw.get("affiliate_ids", ())),
        requires_code=bool(raw.get("requires_code", False)),
    )


def promotion_to_json(p: Promotion) -> Json:
    """A promotion as the document stored for it."""
    return {
        "id": p.id,
        "name": p.name,
        "offer": offer_to_json(p.offer),
        "conditions": conditions_to_json(p.conditions),
        "priority": p.priority,
        "exclusive": p.exclusive,
        "currency": p.currency.value if p.currency else None,
    }


def promotion_from_json(raw: Json) -> Promotion:
    """The promotion a stored document describes."""
    return Promotion(
        id=raw["id"],
        name=raw["name"],
        offer=offer_from_json(raw["offer"]),
        conditions=conditions_from_json(raw["conditions"]),
        priority=int(raw["priority"]),
        exclusive=bool(raw["exclusive"]),
        currency=Currency(raw["currency"]) if raw.get("currency") else None,
    )
