"""Report rollups, the once-per-order marks that keep them exact, and price history.

Keys (see ``docs/data-model.md``):

- ``REPORTS#SALES#<grouping> / <yyyy-mm-dd>#<currency>``: one day's sales of one grouping
  (CURRENCY, CHANNEL, COLLECTION, PRODUCT, VARIANT) as one JSON document of key -> cell
  and key -> label. A 90-day report is one Query of at most 90 items a currency. ``rev``
  makes each change a compare-and-swap inside the order's transaction.
- ``REPORTS#ORDER#<order id> / SALE``: the order's sale is in the rollups, and how much
  of its refunds: a redelivered record finds it and adds nothing again.
- ``PRICELOG#<variant id> / <epoch ms, 13 digits>#<currency>``: one price change (null
  amount: the price was removed). ``PRICELOG#<variant id> / CURRENT``: the prices last
  logged, which the next change is compared with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.money import Currency, Money
from commerce.reports.model import DayRollup, GroupBy

MARK_SK = "SALE"
CURRENT_SK = "CURRENT"
MARK_LABEL = "reported"


def sales_pk(group: GroupBy) -> str:
    return f"REPORTS#SALES#{group.value}"


def day_sk(day: date, currency: Currency) -> str:
    return f"{day.isoformat()}#{currency.value}"


def mark_pk(order_id: str) -> str:
    return f"REPORTS#ORDER#{order_id}"


def price_pk(variant_id: str) -> str:
    return f"PRICELOG#{variant_id}"


class SalesRollupItem(TableItem, discriminator="SalesRollup"):
    """One day's sales of one grouping and currency, changed by compare-and-swap."""

    cells = UnicodeAttribute()
    labels = UnicodeAttribute()
    rev = NumberAttribute()


class SaleMarkItem(TableItem, discriminator="SaleReported"):
    """An order whose sale the rollups hold, with the refunds they hold of it."""

    refunded = NumberAttribute()
    rev = NumberAttribute()


class PriceChangeItem(TableItem, discriminator="PriceChange"):
    """One price of one variant, from a moment on (amount null: no longer priced)."""

    variant_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    amount = NumberAttribute(null=True)
    at = UTCDateTimeAttribute()


class LoggedPricesItem(TableItem, discriminator="LoggedPrices"):
    """The prices of a variant as last logged: {currency: amount}."""

    prices = UnicodeAttribute()
    rev = NumberAttribute()


# -- rollups -------------------------------------------------------------------------------


RollupKey = tuple[GroupBy, date, Currency]


def rollups_by_day(keys: list[RollupKey]) -> dict[RollupKey, tuple[DayRollup, int]]:
    """The day rollups of ``keys`` (grouping, day, currency) and their revisions (0: none
    yet): one BatchGetItem per hundred keys."""
    wanted = {(sales_pk(g), day_sk(d, c)): (g, d, c) for g, d, c in keys}
    found = {key: (DayRollup(key[1], key[2], {}, {}), 0) for key in keys}
    for item in SalesRollupItem.batch_get(list(wanted), consistent_read=True):
        if isinstance(item, SalesRollupItem):
            found[wanted[(item.pk, item.sk)]] = (_rollup(item), int(item.rev))
    return found


def put_rollup(writes: WriteSet, group: GroupBy, rollup: DayRollup, rev: int) -> None:
    condition = SalesRollupItem.pk.does_not_exist() if rev == 0 else SalesRollupItem.rev == rev
    writes.put(
        SalesRollupItem(
            pk=sales_pk(group),
            sk=day_sk(rollup.day, rollup.currency),
            cells=json.dumps(rollup.cells, separators=(",", ":")),
            labels=json.dumps(rollup.labels, separators=(",", ":")),
            rev=rev + 1,
        ),
        condition,
        label=f"rollup:{group.value}",
    )


def rollups(group: GroupBy, start: date, end: date, currency: Currency | None) -> list[DayRollup]:
    """Every day's rollup from ``start`` to ``end`` (both included): one Query."""
    found = []
    upper = f"{end.isoformat()}#~"
    for item in SalesRollupItem.query(
        sales_pk(group),
        SalesRollupItem.sk.between(f"{start.isoformat()}#", upper),
        consistent_read=True,
    ):
        if not isinstance(item, SalesRollupItem):
            continue
        if currency is not None and not item.sk.endswith(f"#{currency.value}"):
            continue
        found.append(_rollup(item))
    return found


def _rollup(item: SalesRollupItem) -> DayRollup:
    day, _, currency = item.sk.partition("#")
    return DayRollup(
        date.fromisoformat(day), Currency(currency), json.loads(item.cells), json.loads(item.labels)
    )


# -- once per order ------------------------------------------------------------------------


def marks(order_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(refunds in the rollups, rev) of each reported order among ``order_ids``; an order
    whose sale is not in yet is absent. One BatchGetItem per hundred orders."""
    found = {}
    keys = [(mark_pk(order_id), MARK_SK) for order_id in dict.fromkeys(order_ids)]
    for item in SaleMarkItem.batch_get(keys, consistent_read=True):
        if isinstance(item, SaleMarkItem):
            found[item.pk.removeprefix(mark_pk(""))] = (int(item.refunded), int(item.rev))
    return found


def put_mark(writes: WriteSet, order_id: str, refunded: int, rev: int) -> None:
    condition = SaleMarkItem.pk.does_not_exist() if rev == 0 else SaleMarkItem.rev == rev
    writes.put(
        SaleMarkItem(pk=mark_pk(order_id), sk=MARK_SK, refunded=refunded, rev=rev + 1),
        condition,
        label=MARK_LABEL,
    )


# -- price history -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A variant's price in one currency from ``at`` on; None when it was removed."""

    variant_id: str
    product_id: str
    currency: Currency
    price: Money | None
    at: datetime


def logged_prices(variant_id: str) -> tuple[dict[str, int], int]:
    try:
        item = LoggedPricesItem.get(price_pk(variant_id), CURRENT_SK, consistent_read=True)
    except LoggedPricesItem.DoesNotExist:
        return {}, 0
    return json.loads(item.prices), int(item.rev)


def put_price_changes(
    writes: WriteSet,
    variant_id: str,
    changes: list[PriceChange],
    prices: dict[str, int],
    rev: int,
) -> None:
    condition = LoggedPricesItem.pk.does_not_exist() if rev == 0 else LoggedPricesItem.rev == rev
    writes.put(
        LoggedPricesItem(
            pk=price_pk(variant_id),
            sk=CURRENT_SK,
            prices=json.dumps(prices, sort_keys=True),
            rev=rev + 1,
        ),
        condition,
        label=f"prices:{variant_id}",
    )
    for change in changes:
        writes.put(
            PriceChangeItem(
                pk=price_pk(variant_id),
                sk=f"{int(change.at.timestamp() * 1000):013d}#{change.currency.value}",
                variant_id=variant_id,
                product_id=change.product_id,
                currency=change.currency.value,
                amount=None if change.price is None else change.price.amount,
                at=change.at,
            )
        )


def price_history(variant_id: str) -> list[PriceChange]:
    """Every logged price change of a variant, oldest first: one Query."""
    found = []
    for item in PriceChangeItem.query(
        price_pk(variant_id), PriceChangeItem.sk < CURRENT_SK, consistent_read=True
    ):
        if isinstance(item, PriceChangeItem):
            currency = Currency(item.currency)
            found.append(
                PriceChange(
                    variant_id=item.variant_id,
                    product_id=item.product_id,
                    currency=currency,
                    price=None if item.amount is None else Money(int(item.amount), currency),
                    at=item.at.astimezone(UTC),
                )
            )
    return found
