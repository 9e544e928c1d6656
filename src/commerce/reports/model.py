"""Sales, best sellers and margin from daily rollups: the figures and how they add up.

Pure. A paid order adds one *delta* to the rollup of the day it was paid, per grouping
(currency, sales channel, collection, product, variant); a refund adds its refunds to
the day it was refunded. A day's rollup for one grouping is a map from the group's key
to a cell of integer figures, so a report over a range sums at most one document per
day and grouping, and a week or a month is the sum of its days.

Money is integer minor units of the cell's currency; a cell never mixes currencies.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from commerce.money import Currency, Money
from commerce.orders.model import Order, OrderLine, OrderStatus
from commerce.variant_refs import VariantRef

NONE = "(none)"
# A report covers at most this many days (about 13 months: a year against the last).
MAX_RANGE_DAYS = 400


class Granularity(enum.Enum):
    """How a sales report's rows are bucketed in time."""

    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class GroupBy(enum.Enum):
    """What a sales report's rows are grouped by (each its own rollup)."""

    CURRENCY = "CURRENCY"
    CHANNEL = "CHANNEL"
    COLLECTION = "COLLECTION"
    PRODUCT = "PRODUCT"
    VARIANT = "VARIANT"


class Ranking(enum.Enum):
    """What best sellers are ranked by."""

    UNITS = "UNITS"
    REVENUE = "REVENUE"


# The figures of a cell, in order.
UNITS, GROSS, DISCOUNTS, REFUNDS, COST, ORDERS, UNCOSTED = range(7)
CELL_SIZE = 7

Cell = list[int]
Delta = dict[GroupBy, dict[str, Cell]]
Labels = dict[GroupBy, dict[str, str]]


@dataclass(frozen=True, slots=True)
class DateRange:
    """Days from ``start`` to ``end``, both included."""

    start: date
    end: date

    def problem(self) -> str | None:
        """Why the range is not one a report covers, or None."""
        if self.end < self.start:
            return "from must be on or before to"
        if (self.end - self.start).days + 1 > MAX_RANGE_DAYS:
            return f"A report covers at most {MAX_RANGE_DAYS} days"
        return None


@dataclass(frozen=True, slots=True)
class SalesFigures:
    """Units, gross, discounts, refunds, net and cost of one group over one period."""

    units: int
    gross: int
    discounts: int
    refunds: int
    cost: int
    orders: int
    uncosted_units: int

    @property
    def net(self) -> int:
        """Gross less discounts and refunds."""
        return self.gross - self.discounts - self.refunds

    @property
    def margin(self) -> int:
        """Net less the cost of the units sold (refunds do not restock: the cost stays)."""
        return self.net - self.cost

    @classmethod
    def of(cls, cell: Sequence[int]) -> SalesFigures:
        padded = [*cell, *([0] * (CELL_SIZE - len(cell)))]
        return cls(*padded[:CELL_SIZE])


@dataclass(frozen=True, slots=True)
class SalesRow:
    """One group's figures in one period and currency."""

    period: date
    currency: Currency
    key: str
    label: str
    figures: SalesFigures


@dataclass(frozen=True, slots=True)
class DayRollup:
    """A stored day's rollup of one grouping and currency."""

    day: date
    currency: Currency
    cells: Mapping[str, Sequence[int]]
    labels: Mapping[str, str]


# -- from orders to deltas -----------------------------------------------------------------


def paid_at(order: Order) -> datetime:
    """When the order moved to PAID (its last change when the history does not say)."""
    return next(
        (c.at for c in order.history if c.to_status is OrderStatus.PAID),
        order.updated_at,
    )


def variant_key(product_id: str, variant_id: str) -> str:
    """A variant's key in the VARIANT rollup: ``<product id>.<variant id>``."""
    return VariantRef(product_id, variant_id).local_id


def _line_keys(order: Order, line: OrderLine) -> dict[GroupBy, list[tuple[str, str]]]:
    title = f"{line.title} ({line.variant_title})"
    collections = [(c, c) for c in line.collection_ids] or [(NONE, NONE)]
    channel = order.sales_channel or NONE
    return {
        GroupBy.CURRENCY: [(order.currency.value, order.currency.value)],
        GroupBy.CHANNEL: [(channel, channel)],
        GroupBy.COLLECTION: collections,
        GroupBy.PRODUCT: [(line.product_id, line.title)],
        GroupBy.VARIANT: [(variant_key(line.product_id, line.variant_id), f"{title} {line.sku}")],
    }


def _add(delta: Delta, group: GroupBy, key: str, cell: Sequence[int]) -> None:
    current = delta.setdefault(group, {}).setdefault(key, [0] * CELL_SIZE)
    for i, amount in enumerate(cell):
        current[i] += amount


def sale_delta(order: Order) -> tuple[Delta, Labels]:
    """What a paid order adds to its paid day: per group, units, gross, discounts, cost,
    and one order per group it touches. A line's cost counts only when it was recorded
    in the order's currency (costs are never converted); its units count as uncosted."""
    delta: Delta = {}
    labels: Labels = {}
    for line in order.lines:
        gross = line.unit_price.amount * line.quantity
        discounts = gross - line.total.amount
        costed = line.unit_cost is not None and line.unit_cost.currency is order.currency
        cost = line.unit_cost.amount * line.quantity if costed and line.unit_cost else 0
        cell = [line.quantity, gross, discounts, 0, cost, 0, 0 if costed else line.quantity]
        for group, keys in _line_keys(order, line).items():
            for key, label in keys:
                _add(delta, group, key, cell)
                labels.setdefault(group, {})[key] = label
    for cells in delta.values():
        for cell in cells.values():
            cell[ORDERS] = 1
    return delta, labels


def refund_shares(order: Order, amount: int) -> list[int]:
    """``amount`` shared among the lines in proportion to what each was sold for
    (largest remainder, so the shares add up to ``amount`` exactly)."""
    weights = [max(line.total.amount, 0) for line in order.lines]
    total = sum(weights)
    if not order.lines:
        return []
    if total == 0:
        weights, total = [1] * len(order.lines), len(order.lines)
    shares = [amount * w // total for w in weights]
    rest = amount - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in by_remainder[:rest]:
        shares[i] += 1
    return shares


def refund_delta(order: Order, amount: int) -> tuple[Delta, Labels]:
    """What refunding ``amount`` more of an order adds to the day it was refunded."""
    delta: Delta = {}
    labels: Labels = {}
    for line, share in zip(order.lines, refund_shares(order, amount), strict=True):
        for group, keys in _line_keys(order, line).items():
            for key, label in keys:
                _add(delta, group, key, [0, 0, 0, share, 0, 0, 0])
                labels.setdefault(group, {})[key] = label
    return delta, labels


def merged(
    cells: Mapping[str, Sequence[int]],
    labels: Mapping[str, str],
    group_delta: Mapping[str, Cell],
    group_labels: Mapping[str, str],
) -> tuple[dict[str, list[int]], dict[str, str]]:
    """A day's cells and labels with ``group_delta`` added."""
    out = {key: [*cell, *([0] * (CELL_SIZE - len(cell)))] for key, cell in cells.items()}
    for key, cell in group_delta.items():
        current = out.setdefault(key, [0] * CELL_SIZE)
        for i, amount in enumerate(cell):
            current[i] += amount
    return out, {**labels, **group_labels}


def folded(
    changes: Iterable[tuple[date, Currency, Delta, Labels]],
) -> dict[tuple[GroupBy, date, Currency], tuple[dict[str, Cell], dict[str, str]]]:
    """Many orders' deltas summed per rollup document (grouping, day, currency), so each
    document is merged once however many of the orders it holds."""
    out: dict[tuple[GroupBy, date, Currency], tuple[dict[str, Cell], dict[str, str]]] = {}
    for day, currency, delta, labels in changes:
        for group, group_delta in delta.items():
            cells, names = out.setdefault((group, day, currency), ({}, {}))
            for key, cell in group_delta.items():
                _add_cell(cells, key, cell)
            names.update(labels.get(group, {}))
    return out


def _add_cell(cells: dict[str, Cell], key: str, cell: Sequence[int]) -> None:
    current = cells.setdefault(key, [0] * CELL_SIZE)
    for i, amount in enumerate(cell):
        current[i] += amount


# -- from day rollups to reports -----------------------------------------------------------


def period_of(day: date, granularity: Granularity) -> date:
    """The first day of the bucket ``day`` falls in (ISO weeks start on Monday)."""
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def sales_rows(rollups: Iterable[DayRollup], granularity: Granularity) -> list[SalesRow]:
    """The rollups summed per period, currency and key; by period, then net, then key."""
    sums: dict[tuple[date, Currency, str], list[int]] = {}
    labels: dict[str, str] = {}
    for rollup in rollups:
        period = period_of(rollup.day, granularity)
        labels.update(rollup.labels)
        for key, cell in rollup.cells.items():
            current = sums.setdefault((period, rollup.currency, key), [0] * CELL_SIZE)
            for i, amount in enumerate(cell):
                current[i] += amount
    rows = [
        SalesRow(period, currency, key, labels.get(key, key), SalesFigures.of(cell))
        for (period, currency, key), cell in sums.items()
    ]
    return sorted(rows, key=lambda r: (r.period, r.currency.value, -r.figures.net, r.key))


def best_sellers(rollups: Iterable[DayRollup], by: Ranking, first: int) -> list[SalesRow]:
    """The ``first`` variants with the most units (or net revenue) over the rollups'
    range, in one currency's rollups; ties by the other figure, then by key."""
    # Summed straight from the cells: a 90-day range of a few thousand variants is a
    # few hundred thousand cells, too many to make a row of each first.
    totals: dict[str, Cell] = {}
    labels: dict[str, str] = {}
    currency: dict[str, Currency] = {}
    start = date.max
    for rollup in rollups:
        if rollup.cells:
            start = min(start, rollup.day)
        labels.update(rollup.labels)
        for key, cell in rollup.cells.items():
            _add_cell(totals, key, cell)
            currency[key] = rollup.currency
    ranked = [
        SalesRow(start, currency[key], key, labels.get(key, key), SalesFigures.of(cell))
        for key, cell in totals.items()
    ]

    def rank(row: SalesRow) -> tuple[int, int, str]:
        f = row.figures
        if by is Ranking.UNITS:
            return (-f.units, -f.net, row.key)
        return (-f.net, -f.units, row.key)

    return sorted(ranked, key=rank)[:first]


def totals(rows: Iterable[SalesRow]) -> dict[Currency, SalesFigures]:
    """Rows summed per currency."""
    sums: dict[Currency, list[int]] = {}
    for row in rows:
        f = row.figures
        current = sums.setdefault(row.currency, [0] * CELL_SIZE)
        for i, amount in enumerate(
            [f.units, f.gross, f.discounts, f.refunds, f.cost, f.orders, f.uncosted_units]
        ):
            current[i] += amount
    return {c: SalesFigures.of(cell) for c, cell in sorted(sums.items(), key=lambda i: i[0].value)}


# -- CSV -----------------------------------------------------------------------------------


def _money(amount: int, currency: Currency) -> str:
    return str(Money(amount, currency).to_decimal())


def safe_cell(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection):
    titles and SKUs are typed by staff and imported from files."""
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def sales_csv(rows: Sequence[SalesRow]) -> str:
    """Sales rows as CSV (RFC 4180, a header line); money in major units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "period",
            "currency",
            "key",
            "label",
            "orders",
            "units",
            "gross",
            "discounts",
            "refunds",
            "net",
            "cost",
            "gross_margin",
            "uncosted_units",
        ]
    )
    for row in rows:
        f, c = row.figures, row.currency
        writer.writerow(
            [
                row.period.isoformat(),
                c.value,
                safe_cell(row.key),
                safe_cell(row.label),
                f.orders,
                f.units,
                _money(f.gross, c),
                _money(f.discounts, c),
                _money(f.refunds, c),
                _money(f.net, c),
                _money(f.cost, c),
                _money(f.margin, c),
                f.uncosted_units,
            ]
        )
    return out.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Any report's rows as CSV (RFC 4180); text cells guarded against formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()
