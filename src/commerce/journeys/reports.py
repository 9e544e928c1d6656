"""Report figures from rollup rows: averages, ROAS, CAC, ROI, and the CSV export.

Pure. Money stays in integer minor units; an average is rounded half to even to the
minor unit; ratios are exact fractions rounded to 4 decimals only when shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from commerce.money import Currency, Money

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Figures:
    """One report row's figures, all derived from orders, revenue, conversions, spend."""

    value: str
    orders: int
    revenue: int
    conversions: Fraction
    average_order_value: int | None
    spend: int | None
    roas: Decimal | None
    cac: int | None
    roi: Decimal | None


def _ratio(amount: Fraction) -> Decimal:
    return (Decimal(amount.numerator) / Decimal(amount.denominator)).quantize(
        RATIO_PLACES, rounding=ROUND_HALF_EVEN
    )


def figures(
    value: str, orders: int, revenue: int, conversions: Fraction, spend: int | None
) -> Figures:
    """AOV = revenue / conversions; ROAS = revenue / spend; CAC = spend / conversions;
    ROI = (revenue - spend) / spend. None where the divisor is 0 or there is no spend."""
    aov = round(Fraction(revenue) / conversions) if conversions else None
    has_spend = spend is not None and spend > 0
    return Figures(
        value=value,
        orders=orders,
        revenue=revenue,
        conversions=conversions,
        average_order_value=aov,
        spend=spend,
        roas=_ratio(Fraction(revenue, spend)) if has_spend and spend else None,
        cac=round(Fraction(spend) / conversions) if has_spend and spend and conversions else None,
        roi=_ratio(Fraction(revenue - spend, spend)) if has_spend and spend else None,
    )


def conversions_text(conversions: Fraction) -> str:
    """Fractional conversions to 4 decimals, e.g. ``"1.3333"``."""
    return str(_ratio(conversions))


def as_csv(rows: Sequence[Figures], currency: Currency) -> str:
    """The rows as CSV (RFC 4180, a header line); money in major units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "value",
            "orders",
            "conversions",
            "revenue",
            "average_order_value",
            "spend",
            "roas",
            "cac",
            "roi",
        ]
    )

    def money(amount: int | None) -> str:
        return "" if amount is None else str(Money(amount, currency).to_decimal())

    for row in rows:
        writer.writerow(
            [
                _safe(row.value),
                row.orders,
                conversions_text(row.conversions),
                money(row.revenue),
                money(row.average_order_value),
                money(row.spend),
                "" if row.roas is None else str(row.roas),
                money(row.cac),
                "" if row.roi is None else str(row.roi),
            ]
        )
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class CohortFigures:
    """One order number of a cohort: its figures, the repeat rate and what it earned."""

    order_number: int
    customers: int
    repeat_rate: Decimal
    revenue: int
    commission: int
    revenue_after_commission: int
    with_app_touch: int


def cohort_figures(
    order_number: int,
    customers: int,
    first_customers: int,
    *,
    revenue: int,
    commission: int,
    with_app_touch: int,
) -> CohortFigures:
    """Repeat rate = customers at this order number / customers with a first order (0
    when none); revenue after commission = revenue - commission, both net of refunds."""
    rate = _ratio(Fraction(customers, first_customers)) if first_customers else Decimal(0)
    return CohortFigures(
        order_number=order_number,
        customers=customers,
        repeat_rate=rate,
        revenue=revenue,
        commission=commission,
        revenue_after_commission=revenue - commission,
        with_app_touch=with_app_touch,
    )


def cohort_csv(rows: Sequence[CohortFigures], currency: Currency) -> str:
    """The cohort rows as CSV (RFC 4180, a header line); money in major units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "order_number",
            "customers",
            "repeat_rate",
            "revenue",
            "commission",
            "revenue_after_commission",
            "with_app_touch",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.order_number,
                row.customers,
                str(row.repeat_rate),
                str(Money(row.revenue, currency).to_decimal()),
                str(Money(row.commission, currency).to_decimal()),
                str(Money(row.revenue_after_commission, currency).to_decimal()),
                row.with_app_touch,
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection):
    # campaign names come from URLs anyone can craft.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
