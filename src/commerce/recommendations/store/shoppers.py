"""What the recommendations know of one shopper: affinity and recently viewed products.

Keys (see ``docs/data-model.md``), one partition per shopper so one Query reads both and
erasing a shopper deletes a known, small set of items:

- ``RECS#SHOPPER#<CUSTOMER|VISITOR>#<id> / AFFINITY``: decayed weight per product as of
  ``as_of``, the one-off products owned (digital lines), the last shipping country;
  written by the stream consumer and the training job;
- ``RECS#SHOPPER#<kind>#<id> / VIEWED``: the last products viewed, newest first, capped,
  with a ``ttl`` (DynamoDB Local drops expired items at once, AWS up to two days late, so
  reads filter on the expiry themselves).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.recommendations.shoppers import ShopperProfile, ShopperRef, View

AFFINITY_SK = "AFFINITY"
VIEWED_SK = "VIEWED"


def shopper_pk(ref: ShopperRef) -> str:
    return f"RECS#SHOPPER#{ref.kind.value}#{ref.id}"


class AffinityItem(TableItem, discriminator="ShopperAffinity"):
    """Weights as of ``as_of``: ``{product id: weight}``."""

    weights = JSONAttribute()
    as_of = UTCDateTimeAttribute()
    owned = JSONAttribute(null=True)
    country = UnicodeAttribute(null=True)
    version = VersionAttribute()


class ViewedItem(TableItem, discriminator="ShopperViews"):
    """Recently viewed: ``[[product id, ISO time], ...]`` newest first."""

    views = JSONAttribute()


def get_profile(ref: ShopperRef, now: datetime) -> tuple[ShopperProfile, AffinityItem | None]:
    """The shopper's profile in one Query of their partition; empty when unknown."""
    affinity: AffinityItem | None = None
    views: tuple[View, ...] = ()
    for item in TableItem.query(shopper_pk(ref)):
        if isinstance(item, AffinityItem):
            affinity = item
        elif isinstance(item, ViewedItem) and (item.ttl is None or item.ttl > now):
            views = tuple(View(str(p), datetime.fromisoformat(str(at))) for p, at in item.views)
    if affinity is None:
        return ShopperProfile(ref=ref, views=views), None
    raw: dict[str, Any] = affinity.weights or {}
    profile = ShopperProfile(
        ref=ref,
        weights={str(p): float(w) for p, w in raw.items()},
        as_of=affinity.as_of,
        owned=frozenset(str(p) for p in (affinity.owned or [])),
        country=affinity.country,
        views=views,
    )
    return profile, affinity


def _affinity_item(profile: ShopperProfile) -> AffinityItem:
    return AffinityItem(
        pk=shopper_pk(profile.ref),
        sk=AFFINITY_SK,
        weights={p: round(w, 6) for p, w in profile.weights.items()},
        as_of=profile.as_of or datetime.now(UTC),
        owned=sorted(profile.owned),
        country=profile.country,
    )


def add_affinity_change(
    writes: WriteSet, before: AffinityItem | None, profile: ShopperProfile
) -> None:
    """A versioned rewrite of the shopper's affinity (new: must not exist yet)."""
    item = _affinity_item(profile)
    if before is None:
        writes.put(item, AffinityItem.pk.does_not_exist(), label="affinity unchanged")
    else:
        item.version = before.version
        writes.put(item, label="affinity unchanged")


def replace_affinities(profiles: list[ShopperProfile]) -> int:
    """Write affinities whole (the training job), 25 a request; the number written."""
    with AffinityItem.batch_write() as batch:
        for profile in profiles:
            batch.save(_affinity_item(profile))
    return len(profiles)


def put_views(ref: ShopperRef, views: tuple[View, ...], expires: datetime) -> None:
    """Replace the recently viewed list (last writer wins: views are a hint, not a record)."""
    ViewedItem(
        pk=shopper_pk(ref),
        sk=VIEWED_SK,
        views=[[v.product_id, v.at.isoformat()] for v in views],
        ttl=expires,
    ).save()


def erase(ref: ShopperRef) -> int:
    """Delete everything kept on the shopper; the number of items deleted."""
    deleted = 0
    with TableItem.batch_write() as batch:
        for item in TableItem.query(shopper_pk(ref)):
            batch.delete(item)
            deleted += 1
    return deleted
