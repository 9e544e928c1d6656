"""Promotions are stored as documents and read back exactly; bad ones are refused by field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commerce.money import Currency
from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    Conditions,
    FreeShipping,
    ItemKind,
    ItemsOff,
    Match,
    MixAndMatch,
    Offer,
    OrderOff,
    Promotion,
    Selector,
    SeriesSet,
    Tier,
    TieredOff,
)
from commerce.principals import Channel
from commerce.promotions.codec import promotion_from_json, promotion_to_json
from commerce.promotions.errors import PromotionErrorCode as Code
from commerce.promotions.rules import code_problems, promotion_problems
from commerce.variant_refs import VariantRef

RICH = Selector(
    product_ids=frozenset({"p1"}),
    variant_ids=frozenset({VariantRef("p1", "v1"), VariantRef("p2", "v9")}),
    collection_ids=frozenset({"c1", "c2"}),
    attributes=frozenset({("author", "Le Guin"), ("series", "Earthsea")}),
    kinds=frozenset({ItemKind.DIGITAL}),
    match=Match.ALL,
    children=(Selector(tags=frozenset({"sale"})),),
)
OFFERS: list[Offer] = [
    ItemsOff(RICH, percent=Decimal("12.5")),
    ItemsOff(Selector(), amount=250),
    OrderOff(percent=Decimal(10), min_subtotal=5000, min_quantity=2, selector=RICH),
    TieredOff((Tier(5000, amount=500), Tier(10000, percent=Decimal(15)))),
    BuyXGetY(RICH, buy=3, get=1, percent=Decimal(100), noun="book"),
    SeriesSet("Earthsea", ("1", "2", "3"), Decimal(15)),
    Bundle((BundleComponent(RICH, 1, "volume 1"), BundleComponent(Selector(), 2)), price=2000),
    Bundle((BundleComponent(RICH),), percent=Decimal("7.25")),
    MixAndMatch(RICH, count=3, price=2000, noun="book"),
    FreeShipping(min_subtotal=5000, zone_ids=frozenset({"home"})),
]
WINDOW = Conditions(
    starts_at=datetime(2026, 3, 1, tzinfo=UTC),
    ends_at=datetime(2026, 4, 1, tzinfo=UTC),
    channels=frozenset({Channel.WEB, Channel.MOBILE}),
    customer_segments=frozenset({"vip"}),
    customer_tags=frozenset({"staff"}),
    first_order_only=True,
    affiliate_ids=frozenset({"aff-1"}),
    requires_code=True,
)


@pytest.mark.parametrize("offer", OFFERS, ids=lambda o: type(o).__name__)
def test_every_kind_of_promotion_reads_back_exactly(offer: Offer) -> None:
    promotion = Promotion("id-1", "Spring", offer, WINDOW, 5, True, Currency.USD)
    assert promotion_from_json(promotion_to_json(promotion)) == promotion
    assert promotion_problems(promotion) == []


def problem_codes(promotion: Promotion) -> list[object]:
    return [p.code for p in promotion_problems(promotion)]


def test_a_percentage_above_100_or_with_both_percent_and_amount_is_refused() -> None:
    both = Promotion(
        "x", "Both", ItemsOff(Selector(), percent=Decimal(10), amount=5), currency=Currency.USD
    )
    assert problem_codes(both) == [Code.PERCENT_OR_AMOUNT]
    too_much = Promotion("x", "Too much", ItemsOff(Selector(), percent=Decimal(101)))
    assert problem_codes(too_much) == [Code.INVALID_PERCENT]


def test_fixed_amounts_need_a_currency_and_names_dates_and_groups_are_checked() -> None:
    promotion = Promotion(
        "x",
        " ",
        MixAndMatch(Selector(), count=1, price=100),
        Conditions(
            starts_at=datetime(2026, 4, 1, tzinfo=UTC), ends_at=datetime(2026, 3, 1, tzinfo=UTC)
        ),
        priority=5000,
    )
    assert problem_codes(promotion) == [
        Code.NAME_REQUIRED,
        Code.INVALID_PRIORITY,
        Code.INVALID_DATES,
        Code.CURRENCY_REQUIRED,
        Code.INVALID_QUANTITY,
    ]


def test_empty_bundles_and_duplicate_tiers_are_refused() -> None:
    bundle = Promotion("x", "Empty", Bundle((), price=100), currency=Currency.USD)
    assert problem_codes(bundle) == [Code.EMPTY_OFFER]
    tiers = Promotion(
        "x", "Tiers", TieredOff((Tier(100, amount=5), Tier(100, amount=10))), currency=Currency.USD
    )
    assert problem_codes(tiers) == [Code.INVALID_AMOUNT]


def test_code_texts_and_limits() -> None:
    assert code_problems("SPRING10", 100, 1) == []
    assert [p.code for p in code_problems("no spaces", None, None)] == [Code.INVALID_CODE]
    assert [p.code for p in code_problems("OK-CODE", 0, None)] == [Code.INVALID_LIMIT]


def test_a_stored_variant_is_the_local_id_of_its_global_id() -> None:
    # given a document as stored since selectors could name variants
    stored = promotion_to_json(Promotion("promo", "Hardcover", ItemsOff(RICH, Decimal(10))))
    assert stored["offer"]["selector"]["variant_ids"] == ["p1.v1", "p2.v9"]
    # then it reads back as the pairs
    offer = promotion_from_json(stored).offer
    assert isinstance(offer, ItemsOff)
    assert offer.selector.variant_ids == {VariantRef("p1", "v1"), VariantRef("p2", "v9")}


def test_selectors_nested_too_deep_or_naming_too_much_are_refused() -> None:
    deep = Selector(tags=frozenset({"a"}))
    for _ in range(4):
        deep = Selector(children=(deep,))
    wide = Selector(tags=frozenset(f"t{i}" for i in range(501)))
    bundle = Bundle((BundleComponent(Selector()), BundleComponent(wide)), percent=Decimal(5))
    assert [
        (p.code, p.field)
        for p in promotion_problems(Promotion("", "Deep", ItemsOff(deep, Decimal(5))))
    ] == [(Code.TOO_LARGE, ("offer", "selector"))]
    assert [(p.code, p.field) for p in promotion_problems(Promotion("", "Wide", bundle))] == [
        (Code.TOO_LARGE, ("offer", "components", "1", "selector"))
    ]
