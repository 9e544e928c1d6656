"""Reading a cart costs the same DynamoDB calls for 2 lines as for 20 (no N+1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cart_helpers import CART, global_id

from commerce.cart.commands import CreateCart
from commerce.cart.model import LineRequest
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import OptionValue, VariantKind
from commerce.money import Currency, Money
from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from collections import Counter

    from commerce.composition import Services
    from conftest import GraphQLCaller


def cart_with_lines(services: Services, lines: int) -> str:
    """The global id of a cart of ``lines`` lines over half as many products.

    Each product has a physical and a digital variant, so stock is read for half the lines.
    """
    wishes = []
    for number in range(lines // 2):
        product = services.catalog.create_product(
            ProductDraft(
                title=f"Book {lines}-{number}",
                published=True,
                variants=tuple(
                    VariantDraft(
                        sku=f"RT-{lines}-{number}-{kind.value}",
                        options=(OptionValue("Format", kind.value),),
                        prices=(Money(1000 + number, Currency.USD),),
                        kind=kind,
                        initial_stock=5 if kind is VariantKind.PHYSICAL else 0,
                    )
                    for kind in VariantKind
                ),
            )
        )
        wishes += [LineRequest(product.id, v.id, 1) for v in product.variants]
    priced = services.cart.create(CreateCart(lines=wishes))
    assert len(priced.lines) == lines
    return global_id("Cart", priced.cart.id)


def calls_to_read(gql: GraphQLCaller, cart_id: str) -> Counter[str]:
    with count_dynamodb_calls() as calls:
        body = gql(CART, {"id": cart_id})
    assert "errors" not in body, body
    assert all(line["available"] for line in body["data"]["cart"]["lines"])
    return calls.by_operation()


def test_a_cart_read_costs_the_same_calls_for_2_lines_as_for_20(
    gql: GraphQLCaller, services: Services
) -> None:
    # given
    small = cart_with_lines(services, 2)
    large = cart_with_lines(services, 20)
    # when
    small_calls = calls_to_read(gql, small)
    large_calls = calls_to_read(gql, large)
    # then: the cart, its products, the stock of its physical variants, and the live
    # promotions (these fixtures disable caches; a warm cache saves that Query, see
    # test_cart_promotions.py)
    assert small_calls == large_calls == {"GetItem": 1, "BatchGetItem": 2, "Query": 1}
