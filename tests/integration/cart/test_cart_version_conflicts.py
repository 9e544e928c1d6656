"""A cart change based on a stale read is re-applied to the fresh cart, never lost."""

from __future__ import annotations

import pytest

from commerce.cart import store
from commerce.cart.commands import AddLines, CreateCart, UpdateLines, UpdateShippingAddress
from commerce.cart.errors import CartErrorCode
from commerce.cart.model import Address, LineRequest
from commerce.cart.versions import MAX_ATTEMPTS
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.composition import Services, build_services
from commerce.money import Currency, Money
from commerce.problems import Rejected
from dynamodb_calls import count_dynamodb_calls


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
    # given a cart that a request on another instance changes right after this one read it
    first, second = book(services, "RACE-1"), book(services, "RACE-2")
    token = services.cart.create(CreateCart()).cart.id
    stale = store.get_cart_record(token)
    build_services(services.settings).cart.add_lines(AddLines(token, [first]))
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
    # given a cart changed on another instance, whose every read here is already stale
    first, second = book(services, "BUSY-1"), book(services, "BUSY-2")
    token = services.cart.create(CreateCart()).cart.id
    stale = store.get_cart_record(token)
    build_services(services.settings).cart.add_lines(AddLines(token, [first]))
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


# -- the version this instance remembers ---------------------------------------------------


def test_a_change_after_this_instance_s_own_change_does_not_read_the_cart_again(
    services: Services,
) -> None:
    # given a cart this instance created
    first, second = book(services, "SEEN-1"), book(services, "SEEN-2")
    token = services.cart.create(CreateCart(lines=[first])).cart.id
    # when the shopper's next change reaches the same instance
    with count_dynamodb_calls() as calls:
        priced = services.cart.add_lines(AddLines(token, [second]))
    # then its products and the live promotions (uncached in tests) are read and the
    # cart written: the cart is not read first
    assert calls.by_operation() == {"BatchGetItem": 1, "Query": 1, "PutItem": 1}
    assert [ln.line.variant_id for ln in priced.lines] == [first.variant_id, second.variant_id]
    current = store.get_cart_record(token)
    assert current is not None
    assert current.cart.lines == priced.cart.lines


def test_a_change_from_a_remembered_cart_keeps_what_another_instance_changed_since(
    services: Services,
) -> None:
    # given a cart this instance created, then changed on another instance
    first, second = book(services, "ELSEWHERE-1"), book(services, "ELSEWHERE-2")
    token = services.cart.create(CreateCart()).cart.id
    build_services(services.settings).cart.add_lines(AddLines(token, [first]))
    # when a change reaches this instance, which remembers the cart without that line
    priced = services.cart.add_lines(AddLines(token, [second]))
    # then both lines are kept
    assert [ln.line.variant_id for ln in priced.lines] == [first.variant_id, second.variant_id]
    current = store.get_cart_record(token)
    assert current is not None
    assert current.cart.lines == priced.cart.lines


def test_a_line_added_on_another_instance_can_be_changed_here(services: Services) -> None:
    # given a cart created here whose only line was added on another instance
    token = services.cart.create(CreateCart()).cart.id
    other = build_services(services.settings).cart
    line = other.add_lines(AddLines(token, [book(services, "THERE-1")])).lines[0].line
    # when this instance, which remembers the cart without lines, sets its quantity
    priced = services.cart.update_lines(UpdateLines(token, {line.id: 3}))
    # then the fresh cart decided it: the line is found and changed, not refused
    assert [(ln.line.id, ln.line.quantity) for ln in priced.lines] == [(line.id, 3)]


def test_a_cart_deleted_elsewhere_is_not_found_here(services: Services) -> None:
    # given a cart this instance remembers, deleted since (checkout, or DynamoDB's TTL)
    token = services.cart.create(CreateCart()).cart.id
    record = store.get_cart_record(token)
    assert record is not None
    store.delete_cart(record)
    # when a change reaches this instance
    with pytest.raises(Rejected) as refused:
        services.cart.add_lines(AddLines(token, [book(services, "GONE-1")]))
    # then the cart is not found, and nothing was written
    assert [p.code for p in refused.value.problems] == [CartErrorCode.CART_NOT_FOUND]
    assert store.get_cart_record(token) is None


def test_an_address_change_here_prices_a_line_added_on_another_instance(
    services: Services,
) -> None:
    # given a cart with one book created here, and a second book added on another instance
    first, second = book(services, "PRICED-1"), book(services, "PRICED-2")
    token = services.cart.create(CreateCart(lines=[first])).cart.id
    build_services(services.settings).cart.add_lines(AddLines(token, [second]))
    # when this instance, which remembers the cart with one line, sets the address
    address = Address("Ada", "Reader", "1 Main St", "", "Springfield", "IL", "62701", "US")
    priced = services.cart.update_shipping_address(UpdateShippingAddress(token, address))
    # then both lines are kept and priced (5.00 each), with the address
    assert [ln.line.variant_id for ln in priced.lines] == [first.variant_id, second.variant_id]
    assert priced.subtotal == Money(1000, Currency.USD)
    assert priced.cart.shipping_address == address


def test_an_address_change_after_this_instance_s_own_change_is_priced_from_fresh_products(
    services: Services,
) -> None:
    # given a cart this instance made, whose book's price changed since
    product = services.catalog.create_product(
        ProductDraft(
            title="Repriced",
            published=True,
            variants=(VariantDraft(sku="REPRICED", prices=(Money(500, Currency.USD),)),),
        )
    )
    line = LineRequest(product.id, product.variants[0].id, 2)
    token = services.cart.create(CreateCart(lines=[line])).cart.id
    services.catalog.set_prices(product.id, product.variants[0].id, (Money(700, Currency.USD),))
    # when the address is set (the products read while the cart is written)
    address = Address("Ada", "Reader", "1 Main St", "", "Springfield", "IL", "62701", "US")
    with count_dynamodb_calls() as calls:
        priced = services.cart.update_shipping_address(UpdateShippingAddress(token, address))
    # then the cart is priced at today's price, with one product read and one write
    assert priced.subtotal == Money(1400, Currency.USD)
    assert calls.by_operation()["BatchGetItem"] == 1
    assert calls.by_operation()["PutItem"] == 1
