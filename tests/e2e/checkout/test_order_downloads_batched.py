"""A page of orders reads its download links in one batch, whatever its length."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checkout_helpers import CART_CREATE, EMAIL, checkout, payload_of, variant

from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from conftest import GraphQLCaller

ORDERS = """
query ($first: Int!) {
  orders(first: $first) { nodes { id status downloads { title remaining } } }
}"""
READS = ("Query", "BatchGetItem", "GetItem")


def _free_ebook_order(gql: GraphQLCaller, variant_id: str, key: str) -> None:
    created = {"lines": [{"merchandiseId": variant_id, "quantity": 1}], "buyerIdentity": EMAIL}
    cart_id = payload_of(gql(CART_CREATE, {"input": created}))["cart"]["id"]
    assert checkout(gql, cart_id, key)["order"]["status"] == "PAID"


def _page(gql: GraphQLCaller, admin_key: str, first: int) -> tuple[list[dict[str, Any]], int]:
    with count_dynamodb_calls() as calls:
        body = gql(ORDERS, {"first": first}, api_key=admin_key)
    assert "errors" not in body, body
    reads = sum(n for op, n in calls.by_operation().items() if op in READS)
    nodes: list[dict[str, Any]] = body["data"]["orders"]["nodes"]
    return nodes, reads


def test_download_links_of_a_page_cost_the_same_reads_for_one_order_or_many(
    gql: GraphQLCaller, admin_key: str
) -> None:
    ebook = variant(gql, admin_key, price="0.00", digital=True, asset_key="ebooks/free.epub")
    for n in range(3):
        _free_ebook_order(gql, ebook, f"batch-{n}")

    one, reads_for_one = _page(gql, admin_key, 1)
    three, reads_for_three = _page(gql, admin_key, 3)

    assert [len(o["downloads"]) for o in one] == [1]
    assert [len(o["downloads"]) for o in three] == [1, 1, 1]
    assert reads_for_three == reads_for_one
