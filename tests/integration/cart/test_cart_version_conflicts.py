"""A cart change based on a stale read is re-applied to the fresh cart, never lost."""

from __future__ import annotations

import pytest

from commerce.cart import store
from commerce.cart.commands import AddLines, CreateCart
from commerce.cart.errors import CartErrorCode
from commerce.cart.model import LineRequest
from commerce.cart.versions import MAX_ATTEMPTS
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.composition import Services
from commerce.money import Currency, Money
from commerce.problems import Rejected


def book(services: Services, sku: str) -> LineRequest:
    product = services.catalog.create_product(
        ProductDraft(
            title=sku,
            published=True,
            variants=(VariantDraft(sku=sku, prices=(Money(500, Currency.USD),), initial_stock=3),),
        )
    )
    return LineRequest(product.id, product.variants[0].id, 1)


def test_a_change_that_lost_a_race_is_retried_on_the_fresh_cart(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a cart that another request changes right after this one read it
    first, second = book(services, "RACE-1"), book(services, "RACE-2")
    token = services.cart.create(CreateCart()).cart.id
    stale = store.get_cart_record(token)
    services.cart.add_lines(AddLines(token, [first]))
    reads = iter([stale])
    real_read = store.get_cart_record
    monkeypatch.setattr(store, "get_cart_record", lambda t: next(reads, None) or real_read(t))
    # when this one saves on top of what it read
    priced = services.cart.add_lines(AddLines(token, [second]))
    # then it tried again on the fresh cart, and both lines are there
    monkeypatch.undo()
    assert [ln.line.variant_id for ln in priced.lines] == [first.variant_id, second.variant_id]
    current = store.get_cart_record(token)
    assert current is not None
    assert current.cart.lines == priced.cart.lines


def test_a_cart_that_keeps_changing_underneath_answers_concurrent_update(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a cart whose every read is already stale
    first, second = book(services, "BUSY-1"), book(services, "BUSY-2")
    token = services.cart.create(CreateCart()).cart.id
    stale = store.get_cart_record(token)
    services.cart.add_lines(AddLines(token, [first]))
    monkeypatch.setattr(store, "get_cart_record", lambda _: stale)
    pauses: list[float] = []
    monkeypatch.setattr(services.cart._versions, "_pause", pauses.append)
    # when
    with pytest.raises(Rejected) as refused:
        services.cart.add_lines(AddLines(token, [second]))
    # then it gave up after a bounded number of attempts, and wrote nothing of its own
    monkeypatch.undo()
    assert [p.code for p in refused.value.problems] == [CartErrorCode.CONCURRENT_UPDATE]
    assert len(pauses) == MAX_ATTEMPTS
    current = store.get_cart_record(token)
    assert current is not None
    assert [ln.variant_id for ln in current.cart.lines] == [first.variant_id]
