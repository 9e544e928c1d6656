"""Ad spend per channel, campaign and day, imported by staff (CLI or mutation).

Keys (see ``docs/data-model.md``):

- ``ADSPEND / <yyyy-mm-dd>#<currency>#<channel>#<campaign>``: the amount spent, in
  minor units. An import of the same day, channel and campaign replaces the amount
  (re-importing a corrected export is safe); a date range is one Query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from commerce.db.table import TableItem
from commerce.journeys.commands import AdSpendRow as AdSpend
from commerce.money import Currency

ADSPEND_PK = "ADSPEND"


class AdSpendItem(TableItem, discriminator="AdSpend"):
    channel = UnicodeAttribute()
    campaign = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()


def _sk(row: AdSpend) -> str:
    return f"{row.day.isoformat()}#{row.currency.value}#{row.channel}#{row.campaign}"


def put(rows: Iterable[AdSpend]) -> int:
    """Store the rows (BatchWriteItem); how many."""
    written = 0
    with AdSpendItem.batch_write() as batch:
        for row in rows:
            batch.save(
                AdSpendItem(
                    pk=ADSPEND_PK,
                    sk=_sk(row),
                    channel=row.channel,
                    campaign=row.campaign,
                    amount=row.amount,
                    currency=row.currency.value,
                )
            )
            written += 1
    return written


def between(start: date, end: date, currency: Currency) -> list[AdSpend]:
    """Spend from ``start`` (inclusive) to ``end`` (exclusive) in one currency: one Query."""
    found = []
    for item in AdSpendItem.query(
        ADSPEND_PK, AdSpendItem.sk.between(start.isoformat(), end.isoformat())
    ):
        if not isinstance(item, AdSpendItem) or item.currency != currency.value:
            continue
        day = date.fromisoformat(item.sk.split("#", 1)[0])
        if day < end:
            found.append(AdSpend(day, item.channel, item.campaign, int(item.amount), currency))
    return found
