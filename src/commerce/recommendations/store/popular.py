"""The best sellers the training job counted, store-wide and per shipping country.

Key (see ``docs/data-model.md``): ``RECS#POPULAR / <country code>`` and
``RECS#POPULAR / *`` for the whole store: small lists read with one BatchGetItem by the
fallback for shoppers with no history.
"""

from __future__ import annotations

from collections.abc import Mapping

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from commerce.db.table import TableItem

POPULAR_PK = "RECS#POPULAR"
STORE_WIDE = "*"


class PopularItem(TableItem, discriminator="PopularProducts"):
    """Product ids, best seller first."""

    scope = UnicodeAttribute()
    product_ids = JSONAttribute()


def get_popular(scopes: list[str]) -> dict[str, list[str]]:
    """The lists of ``scopes`` (country codes or ``STORE_WIDE``) that exist."""
    found: dict[str, list[str]] = {}
    keys = [(POPULAR_PK, scope) for scope in dict.fromkeys(scopes)]
    for item in PopularItem.batch_get(keys):
        found[item.scope] = [str(p) for p in item.product_ids]
    return found


def replace_popular(lists: Mapping[str, list[str]]) -> None:
    """Write every list whole, and delete the lists of scopes that sold nothing now."""
    stale = [item for item in PopularItem.query(POPULAR_PK) if item.scope not in lists]
    with PopularItem.batch_write() as batch:
        for item in stale:
            batch.delete(item)
        for scope, product_ids in lists.items():
            batch.save(PopularItem(pk=POPULAR_PK, sk=scope, scope=scope, product_ids=product_ids))
