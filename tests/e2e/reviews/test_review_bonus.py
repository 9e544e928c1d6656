"""A customer's first review earns the loyalty bonus for it, once, from the review's
stream record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from review_shop import ASH_BORN, CINDERS, Buyer, Shop, open_shop

from commerce.graphql.ids import from_global_id
from commerce.payments.local import LocalStripe
from commerce.reviews.store import REVIEW_SK, ReviewItem, review_pk
from stream_records import image_of, stream_record

CREATE = """
mutation ($input: ReviewCreateInput!) {
  reviewCreate(input: $input) { review { id } userErrors { field code } }
}"""
LOYALTY = "query { customer { loyalty { balance history(first: 20) { kind points } } } }"


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    yield from open_shop(dynamodb_endpoint, stripe_server.endpoint)


def loyalty(shop: Shop, buyer: Buyer) -> dict[str, Any]:
    found: dict[str, Any] = shop.data(LOYALTY, buyer.headers)["customer"]["loyalty"]
    return found


def review(shop: Shop, buyer: Buyer, handle: str) -> dict[str, Any]:
    """Write a review over GraphQL and deliver its new item's stream record."""
    payload = shop.data(
        CREATE,
        buyer.headers,
        input={"productId": shop.product_gid(handle), "rating": 5, "title": "Yes", "body": "!"},
    )["reviewCreate"]
    assert payload["userErrors"] == []
    review_id = from_global_id(payload["review"]["id"], "Review")
    assert review_id is not None
    record = stream_record("INSERT", new=image_of(ReviewItem.get(review_pk(review_id), REVIEW_SK)))
    shop.stream(record)
    shop.stream(record)  # delivered twice, as Lambda may
    return payload


def test_the_first_review_earns_its_bonus_once_and_later_reviews_earn_nothing(
    shop: Shop,
) -> None:
    # given Ada bought two books and was given her sign-up and purchase points
    ada = shop.sign_up("Ada", email_consent=False)
    shop.paid_order(ada, (ASH_BORN, "E-book"), (CINDERS, "E-book"))
    before = loyalty(shop, ada)["balance"]

    # when she reviews the first book, its record arriving twice
    review(shop, ada, ASH_BORN)

    # then the first-review bonus (50 points by default) is given once
    after_first = loyalty(shop, ada)
    assert after_first["balance"] == before + 50
    bonuses = [h for h in after_first["history"] if h["kind"] == "BONUS" and h["points"] == 50]
    assert len(bonuses) == 1

    # when she reviews the second book
    review(shop, ada, CINDERS)

    # then nothing more is given
    assert loyalty(shop, ada)["balance"] == before + 50
