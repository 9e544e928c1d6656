"""Rule segments: every definition in one item, ``CUSTOMER_SEGMENTS / RULES``.

One item, not one per segment, so pricing reads the definitions in the BatchGetItem
that reads the customer's profile and marketing facts (``marketing.marketing_facts``):
no extra round trip however many segments there are. ``MAX_SEGMENTS`` keeps it far
below DynamoDB's item size. Changes are compare-and-swap on ``version``.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute
from pynamodb.exceptions import PutError

from commerce.customers.store import failed_condition
from commerce.db.table import TableItem
from commerce.money import Currency
from commerce.pricing.segments import Criterion, Match, SegmentCondition, SegmentRule

SEGMENTS_PK = "CUSTOMER_SEGMENTS"
RULES_SK = "RULES"


class SegmentsChanged(Exception):
    """Another staff member changed the segments since they were read."""


class SegmentRulesItem(TableItem, discriminator="CustomerSegmentRules"):
    """Every rule segment of the store, in handle order."""

    rules = JSONAttribute(null=True)
    version = NumberAttribute(null=True)


def rules_from(item: SegmentRulesItem | None) -> tuple[tuple[SegmentRule, ...], int]:
    """The stored segments and the version they were read at (0: none saved yet)."""
    if item is None:
        return (), 0
    return tuple(_rule(raw) for raw in item.rules or ()), int(item.version or 0)


def get_rules() -> tuple[tuple[SegmentRule, ...], int]:
    """Every segment and its version: one GetItem."""
    try:
        item = SegmentRulesItem.get(SEGMENTS_PK, RULES_SK, consistent_read=True)
    except SegmentRulesItem.DoesNotExist:
        return (), 0
    assert isinstance(item, SegmentRulesItem)
    return rules_from(item)


def put_rules(rules: tuple[SegmentRule, ...], read_at: int) -> None:
    """Replace every segment, unless they changed since ``read_at`` (``SegmentsChanged``)."""
    item = SegmentRulesItem(
        pk=SEGMENTS_PK,
        sk=RULES_SK,
        rules=[_raw(r) for r in sorted(rules, key=lambda r: r.handle)],
        version=read_at + 1,
    )
    condition = (
        SegmentRulesItem.pk.does_not_exist()
        if read_at == 0
        else SegmentRulesItem.version == read_at
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if failed_condition(exc):
            raise SegmentsChanged from None
        raise


def _raw(rule: SegmentRule) -> dict[str, Any]:
    return {
        "handle": rule.handle,
        "name": rule.name,
        "match": rule.match.value,
        "conditions": [
            {
                "criterion": c.criterion.value,
                "text": c.text,
                "number": c.number,
                "currency": None if c.currency is None else c.currency.value,
            }
            for c in rule.conditions
        ],
    }


def _rule(raw: dict[str, Any]) -> SegmentRule:
    return SegmentRule(
        handle=str(raw["handle"]),
        name=str(raw["name"]),
        match=Match(raw["match"]),
        conditions=tuple(
            SegmentCondition(
                Criterion(c["criterion"]),
                c.get("text"),
                None if c.get("number") is None else int(c["number"]),
                None if c.get("currency") is None else Currency(c["currency"]),
            )
            for c in raw.get("conditions", ())
        ),
    )
