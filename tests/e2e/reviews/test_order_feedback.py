"""Feedback on an order (delivery and service ratings, a comment): given by the order's owner
once, read by staff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from review_shop import ASH_BORN, RELAY, Shop, open_shop

from commerce.payments.local import LocalStripe

SUBMIT = """
mutation ($input: OrderFeedbackSubmitInput!) {
  orderFeedbackSubmit(input: $input) { submitted userErrors { field code } }
}"""
STAFF = """
query ($first: Int) {
  orderFeedback(first: $first) {
    nodes { orderId orderNumber deliveryRating serviceRating comment }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    yield from open_shop(dynamodb_endpoint, stripe_server.endpoint)


def submit(shop: Shop, headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    feedback = {"deliveryRating": 4, "serviceRating": 5, "comment": "", **fields}
    payload: dict[str, Any] = shop.data(SUBMIT, headers, input=feedback)["orderFeedbackSubmit"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def staff_feedback(shop: Shop) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = shop.data(STAFF, shop.admin, first=50)["orderFeedback"]["nodes"]
    return nodes


def test_the_owner_gives_feedback_once_and_staff_read_it(shop: Shop) -> None:
    # given Ada's paid order
    ada = shop.sign_up("Ada", email_consent=False)
    placed = shop.paid_order(ada, (ASH_BORN, "Hardcover"))

    # when she rates delivery and service, then tries again
    first = submit(
        shop, ada.headers, orderId=placed.global_id, deliveryRating=2, comment="Box was crushed"
    )
    second = submit(shop, ada.headers, orderId=placed.global_id, deliveryRating=5)

    # then the first is kept, the second refused
    assert first == {"submitted": True, "userErrors": []}
    assert codes(second) == ["FEEDBACK_ALREADY_SUBMITTED"]
    mine = [f for f in staff_feedback(shop) if f["orderId"] == placed.global_id]
    assert mine == [
        {
            "orderId": placed.global_id,
            "orderNumber": placed.order.number,
            "deliveryRating": 2,
            "serviceRating": 5,
            "comment": "Box was crushed",
        }
    ]


def test_someone_elses_order_is_refused_and_nothing_is_recorded(shop: Shop) -> None:
    # given Bo's order, and Cy
    bo = shop.sign_up("Bo", email_consent=False)
    cy = shop.sign_up("Cy", email_consent=False)
    placed = shop.paid_order(bo, (RELAY, "E-book"))

    # when Cy, then an anonymous caller without the access token, rate it
    by_cy = submit(shop, cy.headers, orderId=placed.global_id, deliveryRating=1)
    anonymous = submit(shop, orderId=placed.global_id, deliveryRating=1)

    # then both are told there is no such order, and staff see nothing for it
    assert codes(by_cy) == ["ORDER_NOT_FOUND"]
    assert codes(anonymous) == ["ORDER_NOT_FOUND"]
    assert [f for f in staff_feedback(shop) if f["orderId"] == placed.global_id] == []
    # and Bo still can
    assert submit(shop, bo.headers, orderId=placed.global_id)["submitted"] is True


def test_a_guest_gives_feedback_with_the_orders_access_token(shop: Shop) -> None:
    # given a guest's paid order
    placed = shop.paid_order(None, (RELAY, "E-book"))

    # when the guest rates it with the access token from checkout, and with a wrong one
    wrong = submit(shop, orderId=placed.global_id, accessToken="not-the-token")
    right = submit(shop, orderId=placed.global_id, accessToken=placed.access_token)

    # then only the token's holder is heard
    assert codes(wrong) == ["ORDER_NOT_FOUND"]
    assert right["submitted"] is True


def test_bad_ratings_and_ids_are_refused(shop: Shop) -> None:
    # given an order
    di = shop.sign_up("Di", email_consent=False)
    placed = shop.paid_order(di, (RELAY, "E-book"))

    # when the ratings are out of range, the comment too long, or the id not an order's
    bad = submit(
        shop,
        di.headers,
        orderId=placed.global_id,
        deliveryRating=0,
        serviceRating=6,
        comment="x" * 2001,
    )
    not_an_order = submit(shop, di.headers, orderId=shop.product_gid(RELAY))

    # then every problem is named, and nothing was recorded
    assert sorted((e["field"][0], e["code"]) for e in bad["userErrors"]) == [
        ("comment", "TOO_LONG"),
        ("deliveryRating", "INVALID_RATING"),
        ("serviceRating", "INVALID_RATING"),
    ]
    assert codes(not_an_order) == ["ORDER_NOT_FOUND"]
    assert [f for f in staff_feedback(shop) if f["orderId"] == placed.global_id] == []


def test_feedback_is_for_staff_to_read(shop: Shop) -> None:
    # given a customer
    ed = shop.sign_up("Ed", email_consent=False)

    # when they read the staff list
    body = shop(STAFF, ed.headers)

    # then it is forbidden
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
