"""Promotions and codes in DynamoDB Local: staff changes, and codes used within their limits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.pricing.engine import apply_promotions
from commerce.pricing.model import (
    CartLine,
    CodeRefusal,
    Conditions,
    ItemsOff,
    OrderOff,
    PricingContext,
    Promotion,
    Selector,
)
from commerce.problems import Rejected
from commerce.promotions import store
from commerce.promotions.errors import PromotionErrorCode as Code
from commerce.promotions.service import PromotionsService

USD = Currency.USD
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SPRING = Promotion(
    "",
    "Spring 10%",
    ItemsOff(Selector(), percent=Decimal(10)),
    Conditions(requires_code=True),
)


@pytest.fixture
def promotions(services: Services) -> PromotionsService:
    # ``services`` points the table at this test's own, empty table.
    return PromotionsService(now=lambda: NOW)


def codes_of(error: pytest.ExceptionInfo[Rejected]) -> list[object]:
    return [p.code for p in error.value.problems]


def test_a_promotion_is_created_listed_changed_and_deleted(promotions: PromotionsService) -> None:
    created = promotions.create_promotion(SPRING)
    assert created.id
    assert promotions.promotions() == [created]
    changed = promotions.update_promotion(replace(created, name="Spring 15%", priority=3))
    assert promotions.promotion(created.id) == changed
    promotions.delete_promotion(created.id)
    assert promotions.promotions() == []
    with pytest.raises(Rejected) as error:
        promotions.delete_promotion(created.id)
    assert codes_of(error) == [Code.NOT_FOUND]


def test_an_invalid_promotion_is_refused_and_nothing_is_stored(
    promotions: PromotionsService,
) -> None:
    with pytest.raises(Rejected) as error:
        promotions.create_promotion(replace(SPRING, offer=OrderOff(amount=500)))
    assert codes_of(error) == [Code.CURRENCY_REQUIRED]
    assert promotions.promotions() == []


def test_a_change_based_on_a_stale_read_is_refused(
    promotions: PromotionsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = promotions.create_promotion(SPRING)
    stale = store.get_promotion(created.id)
    promotions.update_promotion(replace(created, name="First"))
    monkeypatch.setattr(store, "get_promotion", lambda _: stale)
    with pytest.raises(Rejected) as error:
        promotions.update_promotion(replace(created, name="Second"))
    assert codes_of(error) == [Code.CONCURRENT_UPDATE]


def test_ended_promotions_are_not_live(promotions: PromotionsService) -> None:
    ended = promotions.create_promotion(
        replace(SPRING, conditions=Conditions(ends_at=datetime(2026, 2, 1, tzinfo=UTC)))
    )
    live = promotions.create_promotion(SPRING)
    assert promotions.live_promotions() == [live]
    assert {p.id for p in promotions.promotions()} == {ended.id, live.id}


def test_a_code_is_unique_and_found_whatever_its_case(promotions: PromotionsService) -> None:
    spring = promotions.create_promotion(SPRING)
    promotions.create_code(spring.id, "spring10", usage_limit=5)
    with pytest.raises(Rejected) as error:
        promotions.create_code(spring.id, "SPRING10")
    assert codes_of(error) == [Code.CODE_TAKEN]
    found = promotions.codes_for_pricing([" Spring10 ", "NOPE"], None)
    assert [(c.code, c.promotion_id, c.usage_limit) for c in found] == [("SPRING10", spring.id, 5)]


def test_a_code_is_used_once_per_order_and_never_past_its_limit(
    promotions: PromotionsService,
) -> None:
    spring = promotions.create_promotion(SPRING)
    promotions.create_code(spring.id, "TWICE", usage_limit=2)
    promotions.use_codes("order-1", None, ["twice"])
    promotions.use_codes("order-1", None, ["twice"])  # the same order again: no new use
    promotions.use_codes("order-2", None, ["TWICE"])
    with pytest.raises(Rejected) as error:
        promotions.use_codes("order-3", None, ["TWICE"])
    assert codes_of(error) == [Code.CODE_USED_UP]
    assert promotions.codes(spring.id)[0].times_used == 2


def test_a_customer_limit_counts_each_customer_apart(promotions: PromotionsService) -> None:
    spring = promotions.create_promotion(SPRING)
    promotions.create_code(spring.id, "ONCE-EACH", per_customer_limit=1)
    promotions.use_codes("order-1", "alice", ["ONCE-EACH"])
    with pytest.raises(Rejected) as error:
        promotions.use_codes("order-2", "alice", ["ONCE-EACH"])
    assert codes_of(error) == [Code.CODE_USED_UP]
    promotions.use_codes("order-3", "bob", ["ONCE-EACH"])
    assert promotions.codes_for_pricing(["ONCE-EACH"], "alice")[0].times_used_by_customer == 1


def test_an_unknown_code_cannot_be_used(promotions: PromotionsService) -> None:
    with pytest.raises(Rejected) as error:
        promotions.use_codes("order-1", None, ["GHOST"])
    assert codes_of(error) == [Code.CODE_UNKNOWN]


def test_a_cancelled_order_gives_its_use_back_once(promotions: PromotionsService) -> None:
    spring = promotions.create_promotion(SPRING)
    promotions.create_code(spring.id, "ONCE", usage_limit=1, per_customer_limit=1)
    promotions.use_codes("order-1", "alice", ["ONCE"])
    promotions.release_codes("order-1", ["ONCE"])
    promotions.release_codes("order-1", ["ONCE"])  # given back once only
    code = promotions.codes_for_pricing(["ONCE"], "alice")[0]
    assert (code.times_used, code.times_used_by_customer) == (0, 0)
    promotions.use_codes("order-2", "alice", ["ONCE"])
    assert promotions.codes(spring.id)[0].times_used == 1


def test_orders_racing_for_the_last_uses_never_exceed_the_limit(
    promotions: PromotionsService,
) -> None:
    spring = promotions.create_promotion(SPRING)
    promotions.create_code(spring.id, "RACE", usage_limit=3)

    def attempt(n: int) -> bool:
        try:
            promotions.use_codes(f"order-{n}", f"customer-{n}", ["RACE"])
        except Rejected:
            return False
        return True

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, range(8)))
    assert sum(results) == 3
    assert promotions.codes(spring.id)[0].times_used == 3


def test_generated_codes_are_unique_prefixed_and_listed(promotions: PromotionsService) -> None:
    spring = promotions.create_promotion(SPRING)
    made = promotions.generate_codes(spring.id, 150, prefix="vip-")
    texts = {c.code for c in made}
    assert len(texts) == 150
    assert all(t.startswith("VIP-") and len(t) == 14 for t in texts)
    assert {c.code for c in promotions.codes(spring.id)} == texts


def test_the_engine_refuses_a_used_up_code_read_from_the_store(
    promotions: PromotionsService,
) -> None:
    spring = promotions.create_promotion(SPRING)
    promotions.create_code(spring.id, "ONCE", usage_limit=1)
    line = CartLine("l1", "p1", "v1", 1, Money(1000, USD))
    context = PricingContext(now=NOW, currency=USD, codes=("once",))

    def price() -> tuple[int, list[CodeRefusal]]:
        codes = promotions.codes_for_pricing(context.codes, None)
        cart = apply_promotions([line], context, promotions.live_promotions(), codes)
        return cart.total, [r.reason for r in cart.refused_codes]

    assert price() == (900, [])
    promotions.use_codes("order-1", None, ["ONCE"])
    assert price() == (1000, [CodeRefusal.USED_UP])
