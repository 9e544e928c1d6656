"""Report rollups kept by the events function, so reports never scan.

Keys (see ``docs/data-model.md``):

- ``ATTRIBUTION#DAY / <yyyy-mm-dd>#<currency>``: one day's orders, revenue (net of
  refunds) and conversions per model, dimension and value, as one JSON document; a
  90-day report is one Query of at most 90 items. ``rev`` makes each change a
  compare-and-swap inside the order's transaction.
- ``ATTRIBUTION#COHORT / <affiliate id or (none)>#<currency>``: referred customers by
  order number (1st, 2nd, ...): customers, revenue, how many of those orders had a
  mobile-app touch, and their affiliate commission net of reversals (rows written before
  commission was joined have the first three). ``rev`` as above.
- ``JOURNEY#CUSTOMER#<customer id> / STATS``: the customer's credited orders so far and
  the cohort their first order put them in.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.journeys.crediting import DayRollup
from commerce.journeys.store.visitors import customer_journey_pk

DAY_PK = "ATTRIBUTION#DAY"
COHORT_PK = "ATTRIBUTION#COHORT"
STATS_SK = "STATS"


class RollupItem(TableItem, discriminator="AttributionRollup"):
    """A JSON document of figures, changed by compare-and-swap on ``rev``."""

    data = UnicodeAttribute()
    rev = NumberAttribute()


class CustomerStatsItem(TableItem, discriminator="JourneyCustomerStats"):
    """A customer's credited orders so far, and their cohort."""

    orders = NumberAttribute()
    cohort = UnicodeAttribute()
    rev = NumberAttribute()


def day_sk(day: str, currency: str) -> str:
    return f"{day}#{currency}"


def cohort_sk(cohort: str, currency: str) -> str:
    return f"{cohort}#{currency}"


def _read(pk: str, sk: str) -> tuple[Any, int]:
    try:
        item = RollupItem.get(pk, sk, consistent_read=True)
    except RollupItem.DoesNotExist:
        return None, 0
    return json.loads(item.data), int(item.rev)


def _write(writes: WriteSet, pk: str, sk: str, data: Any, *, rev: int, label: str) -> None:
    condition = RollupItem.pk.does_not_exist() if rev == 0 else RollupItem.rev == rev
    writes.put(
        RollupItem(pk=pk, sk=sk, data=json.dumps(data, separators=(",", ":")), rev=rev + 1),
        condition,
        label=label,
    )


def day(day: str, currency: str) -> tuple[DayRollup, int]:
    data, rev = _read(DAY_PK, day_sk(day, currency))
    return (data or {}), rev


def put_day(writes: WriteSet, day: str, currency: str, data: DayRollup, rev: int) -> None:
    _write(writes, DAY_PK, day_sk(day, currency), data, rev=rev, label="day")


def days(start: str, end: str, currency: str) -> list[DayRollup]:
    """Every day's rollup from ``start`` (inclusive) to ``end`` (exclusive): one Query."""
    found = []
    for item in RollupItem.query(
        DAY_PK, RollupItem.sk.between(f"{start}#", f"{end}#"), consistent_read=True
    ):
        if (
            isinstance(item, RollupItem)
            and item.sk < f"{end}#"
            and item.sk.endswith(f"#{currency}")
        ):
            found.append(json.loads(item.data))
    return found


CohortRows = dict[str, list[int]]


def cohort(cohort: str, currency: str) -> tuple[CohortRows, int]:
    data, rev = _read(COHORT_PK, cohort_sk(cohort, currency))
    return (data or {}), rev


def put_cohort(writes: WriteSet, cohort: str, currency: str, data: CohortRows, rev: int) -> None:
    _write(writes, COHORT_PK, cohort_sk(cohort, currency), data, rev=rev, label="cohort")


def customer_stats(customer_id: str) -> tuple[int, str | None, int]:
    """(credited orders, cohort, rev) of a customer; (0, None, 0) before the first."""
    try:
        item = CustomerStatsItem.get(
            customer_journey_pk(customer_id), STATS_SK, consistent_read=True
        )
    except CustomerStatsItem.DoesNotExist:
        return 0, None, 0
    return int(item.orders), item.cohort, int(item.rev)


def put_customer_stats(
    writes: WriteSet, customer_id: str, orders: int, cohort: str, rev: int
) -> None:
    condition = CustomerStatsItem.pk.does_not_exist() if rev == 0 else CustomerStatsItem.rev == rev
    writes.put(
        CustomerStatsItem(
            pk=customer_journey_pk(customer_id),
            sk=STATS_SK,
            orders=orders,
            cohort=cohort,
            rev=rev + 1,
        ),
        condition,
        label="stats",
    )
