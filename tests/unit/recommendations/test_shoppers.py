"""Shopper signals: affinity after a paid basket, recently viewed lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commerce.recommendations.shoppers import (
    PaidBasket,
    ShopperProfile,
    ShopperRef,
    View,
    with_basket,
    with_views,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_paid_basket_decays_older_weights_and_adds_its_products() -> None:
    profile = ShopperProfile(ShopperRef.customer("c1"), weights={"a": 1.0}, as_of=NOW)
    basket = PaidBasket("o1", "c1", NOW + timedelta(days=30), ("b",), frozenset({"b"}), "FR")
    after = with_basket(profile, basket, half_life_days=30)
    assert after.weights == {"a": pytest.approx(0.5), "b": 1.0}
    assert after.owned == {"b"}
    assert after.country == "FR"


def test_recently_viewed_moves_a_viewed_again_product_to_the_front_and_caps() -> None:
    views = (View("a", NOW), View("b", NOW))
    later = NOW + timedelta(minutes=1)
    assert [v.product_id for v in with_views(views, ["b"], later)] == ["b", "a"]
    assert len(with_views((), [str(i) for i in range(30)], NOW)) == 20
