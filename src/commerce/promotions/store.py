"""Promotions and discount codes in the single table.

Keys (see ``docs/data-model.md``):

- ``PROMOTIONS / PROMOTION#<id>``: one promotion as a JSON document with a ``version``.
  Promotions are few (hundreds) and every pricing needs all the live ones, so they share one
  partition: one Query reads them all.
- ``CODE#<CODE> / CODE``: a discount code, its promotion, dates, limits and ``timesUsed``;
  GSI1 ``PROMOTION#<id> / CODE#<CODE>`` lists a promotion's codes.
- ``CODE#<CODE> / CUSTOMER#<id>``: how many times one customer used the code.
- ``CODE#<CODE> / ORDER#<id>``: one order's use of the code (with the customer), so a use is
  counted once and given back once.

A use is counted in the order's own transaction (``add_code_uses`` adds to its ``WriteSet``):
the counters move only on condition that the limits still hold, so two orders racing for the
last use cannot both have it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, PutError

from commerce.db.table import MAX_TRANSACTION_ITEMS, TableItem
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.pricing.model import DiscountCode, Promotion
from commerce.promotions.codec import promotion_from_json, promotion_to_json

PROMOTIONS_PK = "PROMOTIONS"
CODE_SK = "CODE"
MAX_BATCH_GET_KEYS = 100


def promotion_sk(promotion_id: str) -> str:
    return f"PROMOTION#{promotion_id}"


def code_pk(code: str) -> str:
    return f"CODE#{code}"


def customer_sk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def order_sk(order_id: str) -> str:
    return f"ORDER#{order_id}"


class PromotionItem(TableItem, discriminator="Promotion"):
    """One promotion, whole."""

    body = JSONAttribute()
    version = VersionAttribute()


class DiscountCodeItem(TableItem, discriminator="DiscountCode"):
    """A code that unlocks a promotion, with its usage counter."""

    code = UnicodeAttribute()
    promotion_id = UnicodeAttribute()
    usage_limit = NumberAttribute(null=True)
    per_customer_limit = NumberAttribute(null=True)
    times_used = NumberAttribute(default=0)
    starts_at = UTCDateTimeAttribute(null=True)
    ends_at = UTCDateTimeAttribute(null=True)
    # A personal offer's owner (a customer id); absent on codes anyone may use.
    customer_id = UnicodeAttribute(null=True)
    # A guest's personal offer: the SHA-256 of the one cart token that may apply it.
    cart_digest = UnicodeAttribute(null=True)


class CustomerCodeUsesItem(TableItem, discriminator="DiscountCodeCustomerUses"):
    """How many times one customer used one code."""

    uses = NumberAttribute(default=0)


class CodeUseItem(TableItem, discriminator="DiscountCodeUse"):
    """One order's use of a code."""

    code = UnicodeAttribute()
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)


class PromotionChanged(Exception):
    """The promotion changed (or appeared, or went) since it was read; nothing written."""


class CodesTaken(Exception):
    """Some of the codes already exist; ``written`` are those stored before the clash."""

    def __init__(self, codes: tuple[str, ...], written: tuple[str, ...]) -> None:
        self.codes = codes
        self.written = written
        super().__init__(", ".join(codes))


@dataclass(frozen=True, slots=True)
class PromotionRecord:
    """A stored promotion and the version a change must match."""

    promotion: Promotion
    version: int


# -- promotions ------------------------------------------------------------------------------


def save_promotion(promotion: Promotion, version: int | None) -> int:
    """Create (``version`` None) or replace the promotion; returns the new version."""
    item = PromotionItem(
        pk=PROMOTIONS_PK, sk=promotion_sk(promotion.id), body=promotion_to_json(promotion)
    )
    if version is not None:
        item.version = version
    try:
        item.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PromotionChanged(promotion.id) from None
        raise
    assert item.version is not None
    return int(item.version)


def get_promotion(promotion_id: str) -> PromotionRecord | None:
    """The promotion with this id, if stored."""
    try:
        item = PromotionItem.get(PROMOTIONS_PK, promotion_sk(promotion_id), consistent_read=True)
    except PromotionItem.DoesNotExist:
        return None
    return PromotionRecord(promotion_from_json(item.body), int(item.version or 0))


def list_promotions() -> list[Promotion]:
    """Every promotion, by id."""
    items = PromotionItem.query(PROMOTIONS_PK, PromotionItem.sk.startswith("PROMOTION#"))
    return [promotion_from_json(item.body) for item in items]


def delete_promotion(promotion_id: str, version: int) -> None:
    """Remove the promotion if still at ``version`` (its codes then refuse as unknown)."""
    item = PromotionItem(pk=PROMOTIONS_PK, sk=promotion_sk(promotion_id))
    item.version = version
    try:
        item.delete()
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise PromotionChanged(promotion_id) from None
        raise


# -- codes -------------------------------------------------------------------------------


def _code_item(code: DiscountCode) -> DiscountCodeItem:
    return DiscountCodeItem(
        pk=code_pk(code.code),
        sk=CODE_SK,
        gsi1pk=promotion_sk(code.promotion_id),
        gsi1sk=code_pk(code.code),
        code=code.code,
        promotion_id=code.promotion_id,
        usage_limit=code.usage_limit,
        per_customer_limit=code.per_customer_limit,
        times_used=0,
        starts_at=code.starts_at,
        ends_at=code.ends_at,
        customer_id=code.customer_id,
        cart_digest=code.cart_digest,
    )


def _code_from_item(item: DiscountCodeItem, customer_uses: int = 0) -> DiscountCode:
    return DiscountCode(
        code=item.code,
        promotion_id=item.promotion_id,
        usage_limit=None if item.usage_limit is None else int(item.usage_limit),
        per_customer_limit=None
        if item.per_customer_limit is None
        else int(item.per_customer_limit),
        times_used=int(item.times_used or 0),
        times_used_by_customer=customer_uses,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        customer_id=item.customer_id,
        cart_digest=item.cart_digest,
    )


def create_codes(codes: Sequence[DiscountCode]) -> None:
    """Store new codes, ``MAX_TRANSACTION_ITEMS`` per transaction, none over an existing one.

    ``CodesTaken`` names the codes that exist and those written before (codes are
    independent), so the caller draws again only the rest.
    """
    for start in range(0, len(codes), MAX_TRANSACTION_ITEMS):
        writes = WriteSet()
        for code in codes[start : start + MAX_TRANSACTION_ITEMS]:
            writes.put(_code_item(code), DiscountCodeItem.pk.does_not_exist(), label=code.code)
        try:
            writes.commit()
        except ConditionsFailed as exc:
            raise CodesTaken(exc.labels, tuple(c.code for c in codes[:start])) from None


def codes_of_promotion(promotion_id: str) -> list[DiscountCode]:
    """A promotion's codes, by code."""
    items = DiscountCodeItem.gsi1.query(promotion_sk(promotion_id))
    return [_code_from_item(item) for item in items if isinstance(item, DiscountCodeItem)]


def codes_for(codes: Iterable[str], customer_id: str | None) -> list[DiscountCode]:
    """The stored codes among ``codes`` (normalised), with this customer's use counts."""
    wanted = sorted(set(codes))
    found: list[DiscountCodeItem] = []
    uses: dict[str, int] = {}
    for start in range(0, len(wanted), MAX_BATCH_GET_KEYS):
        chunk = wanted[start : start + MAX_BATCH_GET_KEYS]
        found += DiscountCodeItem.batch_get([(code_pk(c), CODE_SK) for c in chunk])
        if customer_id is not None:
            keys = [(code_pk(c), customer_sk(customer_id)) for c in chunk]
            for item in CustomerCodeUsesItem.batch_get(keys):
                uses[item.pk] = int(item.uses or 0)
    found.sort(key=lambda item: item.code)
    return [_code_from_item(item, uses.get(item.pk, 0)) for item in found]


def use_label(code: str) -> str:
    """The ``ConditionsFailed`` label of a code that cannot be used (again)."""
    return f"code:{code}"


def add_code_uses(
    writes: WriteSet, order_id: str, customer_id: str | None, codes: Sequence[DiscountCode]
) -> None:
    """Count one use of each code by this order, on condition every limit still holds.

    A failed condition is labelled ``use_label(code)``; the caller reads again to tell
    "used up" from "this order already used it".
    """
    for code in codes:
        label = use_label(code.code)
        writes.put(
            CodeUseItem(
                pk=code_pk(code.code),
                sk=order_sk(order_id),
                code=code.code,
                order_id=order_id,
                customer_id=customer_id,
            ),
            CodeUseItem.pk.does_not_exist(),
            label=label,
        )
        limit = DiscountCodeItem.usage_limit
        writes.update(
            DiscountCodeItem(pk=code_pk(code.code), sk=CODE_SK),
            [DiscountCodeItem.times_used.add(1)],
            DiscountCodeItem.pk.exists()
            & (limit.does_not_exist() | (DiscountCodeItem.times_used < limit)),
            label=label,
        )
        if customer_id is None:
            continue
        # An UpdateItem creates the counter on a customer's first use (type included), so
        # no read decides between creating and moving it.
        counter = CustomerCodeUsesItem(pk=code_pk(code.code), sk=customer_sk(customer_id))
        uses = CustomerCodeUsesItem.uses
        per_customer = code.per_customer_limit
        writes.update(
            counter,
            [uses.add(1), CustomerCodeUsesItem.entity.set(CustomerCodeUsesItem)],
            None if per_customer is None else uses.does_not_exist() | (uses < per_customer),
            label=label,
        )


def add_code_retakes(
    writes: WriteSet, order_id: str, customer_id: str | None, codes: Sequence[str]
) -> None:
    """Count again the uses an order gave back before it was paid after all.

    No limit is checked: the shopper has paid the discounted price, so the use happened
    even if the code has since been used up (its count may then pass its limit). A
    code deleted meanwhile fails its condition and the caller, reading again, skips it.
    """
    for code in codes:
        label = use_label(code)
        writes.put(
            CodeUseItem(
                pk=code_pk(code),
                sk=order_sk(order_id),
                code=code,
                order_id=order_id,
                customer_id=customer_id,
            ),
            CodeUseItem.pk.does_not_exist(),
            label=label,
        )
        writes.update(
            DiscountCodeItem(pk=code_pk(code), sk=CODE_SK),
            [DiscountCodeItem.times_used.add(1)],
            DiscountCodeItem.pk.exists(),
            label=label,
        )
        if customer_id is not None:
            counter = CustomerCodeUsesItem(pk=code_pk(code), sk=customer_sk(customer_id))
            writes.update(
                counter,
                [
                    CustomerCodeUsesItem.uses.add(1),
                    CustomerCodeUsesItem.entity.set(CustomerCodeUsesItem),
                ],
                label=label,
            )


def order_uses(order_id: str, codes: Iterable[str]) -> list[CodeUseItem]:
    """This order's recorded uses of these codes."""
    keys = [(code_pk(c), order_sk(order_id)) for c in sorted(set(codes))]
    found: list[CodeUseItem] = []
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        found += CodeUseItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS])
    return sorted(found, key=lambda item: item.code)


def add_code_releases(writes: WriteSet, uses: Sequence[CodeUseItem]) -> None:
    """Give back each use (the order was cancelled or its payment failed), exactly once."""
    for use in uses:
        label = use_label(use.code)
        writes.delete(CodeUseItem(pk=use.pk, sk=use.sk), CodeUseItem.pk.exists(), label=label)
        writes.update(
            DiscountCodeItem(pk=code_pk(use.code), sk=CODE_SK),
            [DiscountCodeItem.times_used.add(-1)],
            DiscountCodeItem.pk.exists() & (DiscountCodeItem.times_used > 0),
            label=label,
        )
        if use.customer_id is not None:
            writes.update(
                CustomerCodeUsesItem(pk=code_pk(use.code), sk=customer_sk(use.customer_id)),
                [CustomerCodeUsesItem.uses.add(-1)],
                CustomerCodeUsesItem.uses > 0,
                label=label,
            )
