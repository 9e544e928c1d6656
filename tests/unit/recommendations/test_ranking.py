"""Lists with reasons: related by catalog links, personal from a shopper's signals."""

from __future__ import annotations

from commerce.catalog.api.recommended import RecommendationReasonCode
from commerce.recommendations.model import Neighbour, Weights
from commerce.recommendations.ranking import (
    Item,
    ReasonCode,
    ShopperSignals,
    build_links,
    personal,
    related,
)

BOOKS = [
    Item("v1", "First Light", authors=("Ada Vane",), series="Dawn", volume=1),
    Item("v2", "Second Light", authors=("Ada Vane",), series="Dawn", volume=2),
    Item("v3", "Third Light", authors=("Ada Vane",), series="Dawn", volume=3, sellable=False),
    Item("solo", "A Lone Book", authors=("Ada Vane",)),
    Item("other", "Elsewhere", authors=("Bo Lark",), tags=("sea",)),
    Item("pop", "Best Seller", authors=("Cy Moss",)),
]
LINKS = build_links(BOOKS, {})


def test_related_puts_the_series_first_then_the_author_and_skips_unsellable() -> None:
    found = related("v2", LINKS, 10)
    assert [r.product_id for r in found] == ["v1", "solo"]
    assert found[0].reason.message == "Also in *Dawn*"
    assert found[1].reason.code is ReasonCode.SAME_AUTHOR


def test_a_reader_of_the_first_volume_is_offered_the_next_then_the_author() -> None:
    signals = ShopperSignals(affinity={"v1": 1.0}, owned=frozenset({"v1"}))
    found = personal(signals, {}, LINKS, {"*": ["pop"]}, first=3, weights=Weights())
    assert [(r.product_id, r.reason.code) for r in found] == [
        ("v2", ReasonCode.NEXT_IN_SERIES),
        ("solo", ReasonCode.AUTHOR_YOU_READ),
        ("pop", ReasonCode.POPULAR),
    ]


def test_a_new_shopper_gets_their_country_s_best_sellers_then_the_store_s() -> None:
    signals = ShopperSignals(country="FR")
    found = personal(
        signals, {}, LINKS, {"FR": ["other"], "*": ["other", "pop"]}, first=5, weights=Weights()
    )
    assert [(r.product_id, r.reason.message) for r in found] == [
        ("other", "Popular in FR"),
        ("pop", "Popular in the store"),
    ]


def test_cart_lines_bring_their_neighbours_and_stay_out() -> None:
    signals = ShopperSignals(cart=("v1",))
    lists = {"v1": [Neighbour("other", 0.5, 3)]}
    found = personal(signals, lists, LINKS, {}, first=5, weights=Weights())
    assert [(r.product_id, r.reason.message) for r in found] == [
        ("other", "Goes with *First Light* in your cart")
    ]


def test_every_reason_code_has_its_api_value() -> None:
    assert {c.value for c in ReasonCode} == {c.name for c in RecommendationReasonCode}
