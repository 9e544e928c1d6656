"""Budget buckets in the single table: one item per caller, changed by one UpdateItem.

Keys (see ``docs/data-model.md``):

- ``LIMIT#<caller> / BUCKET``: a caller's bucket, ``tat`` in epoch microseconds (see
  ``limits/model.py``); ``ttl`` passes once the bucket would be full again, and a
  missing item *is* a full bucket, so DynamoDB deleting it changes nothing.

The update goes through the table's botocore client rather than PynamoDB's
``Model.update``: only the raw call returns the item's old values when the condition
fails (``ReturnValuesOnConditionCheckFailure``), which saves a read on every refusal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import NumberAttribute

from commerce.db.table import TTL_ATTRIBUTE, TYPE_ATTRIBUTE, TableItem
from commerce.limits.model import MICROS, Spend

BUCKET_SK = "BUCKET"
ENTITY = "RateBucket"
# Kept a minute past the instant the bucket is full again, so a clock a little behind
# DynamoDB's never sees a bucket vanish while it still owes points.
TTL_MARGIN_SECONDS = 60


def bucket_pk(caller: str) -> str:
    return f"LIMIT#{caller}"


class BucketItem(TableItem, discriminator=ENTITY):
    """A caller's budget: when it will be full again."""

    tat = NumberAttribute()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one conditional update found: applied (new ``tat``) or refused (old ``tat``)."""

    applied: bool
    tat: int | None


def apply_spend(caller: str, spend: Spend, *, bucket_full: bool) -> Outcome:
    """Charge ``spend`` in one UpdateItem, assuming the bucket is full or partly spent.

    ``bucket_full`` picks the branch: a full bucket (no item, or ``tat <= now``) gets
    ``tat = now + increment``; a partly spent one gets ``tat = tat + increment`` if that
    stays within the burst. The condition makes DynamoDB check the assumption and the
    budget atomically with the write; when it fails, the old ``tat`` comes back so the
    caller knows whether it guessed the branch wrong or the budget is spent.
    """
    connection = TableItem._get_connection().connection
    table = TableItem.Meta.table_name
    # The bucket is full again at the latest at now + burst = latest_allowed_tat + increment.
    full_again = spend.latest_allowed_tat + spend.increment
    ttl = math.ceil(full_again / MICROS) + TTL_MARGIN_SECONDS
    values: dict[str, Any] = {
        ":now": {"N": str(spend.now)},
        ":ttl": {"N": str(ttl)},
        ":type": {"S": ENTITY},
    }
    if bucket_full:
        condition = "attribute_not_exists(#tat) OR #tat <= :now"
        update = "SET #tat = :new, #ttl = :ttl, #type = :type"
        values[":new"] = {"N": str(spend.from_full)}
    else:
        condition = "#tat > :now AND #tat <= :latest"
        update = "SET #tat = #tat + :inc, #ttl = :ttl, #type = :type"
        values[":inc"] = {"N": str(spend.increment)}
        values[":latest"] = {"N": str(spend.latest_allowed_tat)}
    client = connection.client
    try:
        response = client.update_item(
            TableName=table,
            Key={"PK": {"S": bucket_pk(caller)}, "SK": {"S": BUCKET_SK}},
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames={
                "#tat": "tat",
                "#ttl": TTL_ATTRIBUTE,
                "#type": TYPE_ATTRIBUTE,
            },
            ExpressionAttributeValues=values,
            ReturnValues="UPDATED_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except Exception as exc:
        # Matched by code, not by class: botocore makes exception classes per client session,
        # and PynamoDB keeps a session per thread.
        failure: Any = getattr(exc, "response", None)
        if not isinstance(failure, dict):
            raise
        if failure.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return Outcome(applied=False, tat=_tat(failure.get("Item")))
    return Outcome(applied=True, tat=_tat(response.get("Attributes")))


def read_tat(caller: str) -> int | None:
    """The stored ``tat`` of a caller's bucket (tests and support tooling; not per request)."""
    try:
        item = BucketItem.get(bucket_pk(caller), BUCKET_SK, consistent_read=True)
    except BucketItem.DoesNotExist:
        return None
    return int(item.tat)


def _tat(attributes: dict[str, Any] | None) -> int | None:
    if not attributes or "tat" not in attributes:
        return None
    return int(attributes["tat"]["N"])
