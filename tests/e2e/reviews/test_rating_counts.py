"""The rating counts a product shows equal a recount of its reviews after any sequence of
reviews written, edited, moderated and deleted through the API, each call possibly sent
twice (a client's retry).

Hypothesis draws the sequences (derandomized: the same ones on every run); the recount
reads every review the customers hold, one by one, and counts the shown ones per star.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from review_shop import HEARTH, Buyer, Shop, open_shop

from commerce.catalog.model import ProductRating
from commerce.graphql.ids import to_global_id
from commerce.payments.local import LocalStripe

CUSTOMERS = 4
CREATE = """
mutation ($input: ReviewCreateInput!) { reviewCreate(input: $input) { userErrors { code } } }"""
UPDATE = """
mutation ($input: ReviewUpdateInput!) { reviewUpdate(input: $input) { userErrors { code } } }"""
DELETE = """
mutation ($input: ReviewDeleteInput!) { reviewDelete(input: $input) { userErrors { code } } }"""
MODERATE = """
mutation ($input: ReviewModerateInput!) { reviewModerate(input: $input) { userErrors { code } } }"""
RATING = """
query ($handle: String!) {
  product(handle: $handle) { rating { average count distribution { stars count } } }
}"""


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    yield from open_shop(dynamodb_endpoint, stripe_server.endpoint)


@pytest.fixture(scope="module")
def buyers(shop: Shop) -> list[Buyer]:
    """Customers who each bought the e-book once."""
    found = []
    for n in range(CUSTOMERS):
        buyer = shop.sign_up(f"Reader{n}", email_consent=False)
        shop.paid_order(buyer, (HEARTH, "E-book"))
        found.append(buyer)
    return found


steps = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "moderate", "delete"]),
        st.integers(min_value=0, max_value=CUSTOMERS - 1),
        st.integers(min_value=1, max_value=5),
        st.sampled_from(["PUBLISHED", "FLAGGED", "REJECTED"]),
        st.booleans(),  # sent twice
    ),
    min_size=1,
    max_size=10,
)


def recount(shop: Shop, buyers: list[Buyer], product_id: str) -> ProductRating:
    """Shown reviews per star, from the reviews themselves."""
    counts = [0, 0, 0, 0, 0]
    for buyer in buyers:
        review = shop.services.reviews.review_by(buyer.id, product_id)
        if review is not None and review.shown:
            counts[review.rating - 1] += 1
    return ProductRating((counts[0], counts[1], counts[2], counts[3], counts[4]))


def call(shop: Shop, buyer: Buyer, step: tuple[str, int, int, str, bool], pid: str) -> None:
    kind, _, rating, state, _ = step
    review = shop.services.reviews.review_by(buyer.id, pid)
    # A customer without a review edits, deletes or moderates an id that names none.
    gid = to_global_id("Review", review.id if review else "01m99j7f2wqp8xmcxtzfqqdv84")
    document: str
    variables: dict[str, Any]
    headers = buyer.headers
    if kind == "create":
        document = CREATE
        product = to_global_id("Product", pid)
        variables = {"productId": product, "rating": rating, "title": "t", "body": ""}
    elif kind == "update":
        document, variables = UPDATE, {"reviewId": gid, "rating": rating}
    elif kind == "delete":
        document, variables = DELETE, {"reviewId": gid}
    else:
        headers = shop.admin
        document = MODERATE
        variables = {"reviewId": gid, "state": state, "reason": "property", "policy": "SPAM"}
    body = shop(document, headers, input=variables)
    assert "errors" not in body, body


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_the_rating_equals_a_recount_after_any_sequence_of_changes(
    shop: Shop, buyers: list[Buyer], sequence: list[tuple[str, int, int, str, bool]]
) -> None:
    pid = shop.product_id(HEARTH)
    for step in sequence:
        # when the step is sent (twice, as a retrying client would)
        buyer = buyers[step[1]]
        call(shop, buyer, step, pid)
        if step[4]:
            call(shop, buyer, step, pid)

        # then the stored counts, and what the product shows, equal the recount
        expected = recount(shop, buyers, pid)
        stored = shop.services.catalog.ratings([pid]).get(pid, ProductRating())
        assert stored == expected
        shown = shop.data(RATING, handle=HEARTH)["product"]["rating"]
        assert shown["count"] == expected.count
        assert shown["average"] == (None if expected.average is None else str(expected.average))
        assert {d["stars"]: d["count"] for d in shown["distribution"]} == {
            stars: expected.distribution[stars - 1] for stars in range(1, 6)
        }
