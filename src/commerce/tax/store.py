"""Tax rates in the single table.

Keys (see ``docs/data-model.md``):

- ``TAX / RATE#<country>#<region>`` (region ``-`` for the country's own rate): one item per
  rate, so setting a rate is one PutItem (the key makes it unique) and every rate is read
  with one Query of the ``TAX`` partition. The percentage is stored as a decimal string:
  exact, never a float.
"""

from __future__ import annotations

from decimal import Decimal

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError

from commerce.db.table import TableItem
from commerce.tax.model import TaxRate

TAX_PK = "TAX"
_NO_REGION = "-"


def rate_sk(country_code: str, region_code: str) -> str:
    return f"RATE#{country_code}#{region_code or _NO_REGION}"


class TaxRateItem(TableItem, discriminator="TaxRate"):
    """One country's or region's tax rate."""

    country_code = UnicodeAttribute()
    region_code = UnicodeAttribute()
    percentage = UnicodeAttribute()


def all_rates(*, consistent: bool = True) -> tuple[TaxRate, ...]:
    """Every rate, from one (paginated) Query of the ``TAX`` partition."""
    return tuple(
        TaxRate(
            item.country_code,
            "" if item.region_code == _NO_REGION else item.region_code,
            Decimal(item.percentage),
        )
        for item in TableItem.query(TAX_PK, consistent_read=consistent)
        if isinstance(item, TaxRateItem)
    )


def put_rate(rate: TaxRate) -> None:
    """Store ``rate``, replacing the rate for the same place."""
    TaxRateItem(
        pk=TAX_PK,
        sk=rate_sk(rate.country_code, rate.region_code),
        country_code=rate.country_code,
        region_code=rate.region_code or _NO_REGION,
        percentage=str(rate.percentage),
    ).save()


def delete_rate(country_code: str, region_code: str) -> bool:
    """Remove the rate for this place; False when there was none."""
    item = TaxRateItem(pk=TAX_PK, sk=rate_sk(country_code, region_code))
    try:
        item.delete(condition=TaxRateItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
