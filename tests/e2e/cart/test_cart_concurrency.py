"""Shoppers in several tabs at once: no line is lost when changes race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from cart_helpers import CART_LINES_ADD, create_cart, create_variant, line, mutate, read_cart

if TYPE_CHECKING:
    from conftest import GraphQLCaller

WRITERS = 8


def test_concurrent_additions_of_different_variants_all_land_in_the_cart(
    gql: GraphQLCaller, admin_key: str
) -> None:
    # given a cart and eight books
    cart = create_cart(gql)
    variants = [create_variant(gql, admin_key) for _ in range(WRITERS)]

    def add(variant_id: str) -> dict[str, Any]:
        return mutate(gql, CART_LINES_ADD, {"cartId": cart["id"], "lines": [line(variant_id)]})

    # when each is added by its own request at the same moment
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        payloads = list(pool.map(add, variants))
    # then every request worked and every book is in the cart, once
    assert [p["userErrors"] for p in payloads] == [[]] * WRITERS
    final = read_cart(gql, cart["id"])
    assert final is not None
    assert sorted(ln["merchandise"]["id"] for ln in final["lines"]) == sorted(variants)
    assert final["totalQuantity"] == WRITERS


def test_concurrent_additions_of_one_variant_add_up(gql: GraphQLCaller, admin_key: str) -> None:
    # given
    novel = create_variant(gql, admin_key)
    cart = create_cart(gql)

    def add(_: int) -> dict[str, Any]:
        return mutate(gql, CART_LINES_ADD, {"cartId": cart["id"], "lines": [line(novel, 2)]})

    # when
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        payloads = list(pool.map(add, range(WRITERS)))
    # then
    assert [p["userErrors"] for p in payloads] == [[]] * WRITERS
    final = read_cart(gql, cart["id"])
    assert final is not None
    assert [ln["quantity"] for ln in final["lines"]] == [2 * WRITERS]
