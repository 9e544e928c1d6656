"""Reviews through the GraphQL API: verified purchases, refusals, moderation, votes, replies,
and the rating that listings sort and filter by.

One demo bookstore for the whole file (module scope); each test works on its own books or
its own customers, so the order of the tests does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from review_shop import ASH_BORN, CINDERS, HEARTH, RELAY, Buyer, Shop, open_shop

from commerce.payments.local import LocalStripe

REVIEW_FIELDS = """
  id rating title body authorName verifiedPurchase state helpfulVotes
  reply { body }
"""
ERRORS = "userErrors { field code }"
CREATE = f"""
mutation ($input: ReviewCreateInput!) {{
  reviewCreate(input: $input) {{ review {{ {REVIEW_FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: ReviewUpdateInput!) {{
  reviewUpdate(input: $input) {{ review {{ {REVIEW_FIELDS} }} {ERRORS} }}
}}"""
DELETE = f"""
mutation ($input: ReviewDeleteInput!) {{
  reviewDelete(input: $input) {{ deletedReviewId {ERRORS} }}
}}"""
MODERATE = f"""
mutation ($input: ReviewModerateInput!) {{
  reviewModerate(input: $input) {{ review {{ {REVIEW_FIELDS} }} {ERRORS} }}
}}"""
REPLY = f"""
mutation ($input: ReviewReplyInput!) {{
  reviewReply(input: $input) {{ review {{ {REVIEW_FIELDS} }} {ERRORS} }}
}}"""
VOTE = f"""
mutation ($input: ReviewVoteHelpfulInput!) {{
  reviewVoteHelpful(input: $input) {{ review {{ helpfulVotes }} {ERRORS} }}
}}"""
PRODUCT = f"""
query ($handle: String!, $sortKey: ReviewSortKeys) {{
  product(handle: $handle) {{
    rating {{ average count distribution {{ stars count }} }}
    reviews(first: 20, sortKey: $sortKey) {{
      nodes {{ {REVIEW_FIELDS} }} pageInfo {{ hasNextPage }}
    }}
  }}
}}"""
STAFF_REVIEWS = """
query ($state: ReviewState!) {
  reviews(filter: {state: $state}, first: 50) {
    nodes { id title moderationLog { fromState toState policy reason actor } }
  }
}"""
LISTING = """
query ($sortKey: ProductSortKeys, $reverse: Boolean, $filter: ProductFilter) {
  products(first: 50, sortKey: $sortKey, reverse: $reverse, filter: $filter) {
    nodes { handle rating { average count } }
  }
}"""
VISITOR = "mutation { visitorStart(input: {}) { visitorToken } }"


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    yield from open_shop(dynamodb_endpoint, stripe_server.endpoint)


def product(shop: Shop, handle: str, sort: str = "NEWEST") -> dict[str, Any]:
    found: dict[str, Any] = shop.data(PRODUCT, handle=handle, sortKey=sort)["product"]
    return found


def write(shop: Shop, buyer: Buyer, handle: str, **fields: Any) -> dict[str, Any]:
    review = {"productId": shop.product_gid(handle), "title": "A review", "body": "", **fields}
    review.setdefault("rating", 5)
    payload: dict[str, Any] = shop.data(CREATE, buyer.headers, input=review)["reviewCreate"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def distribution(found: dict[str, Any]) -> dict[int, int]:
    return {d["stars"]: d["count"] for d in found["rating"]["distribution"] if d["count"]}


def test_a_buyer_reviews_what_they_bought_with_a_verified_purchase_mark(shop: Shop) -> None:
    # given Ada bought the e-book of the first Emberfall volume
    ada = shop.sign_up("Ada", email_consent=True)
    placed = shop.paid_order(ada, (ASH_BORN, "E-book"))

    # when she reviews it, naming the order
    payload = write(
        shop, ada, ASH_BORN, rating=4, title="Fierce", body="Loved it.", orderId=placed.global_id
    )

    # then the review is shown at once, verified, and counted in the product's rating
    assert payload["userErrors"] == []
    review = payload["review"]
    assert (review["rating"], review["verifiedPurchase"], review["state"]) == (4, True, "PUBLISHED")
    assert review["authorName"] == "Ada R."
    found = product(shop, ASH_BORN)
    assert found["rating"]["average"] == "4.0"
    assert found["rating"]["count"] == 1
    assert distribution(found) == {4: 1}
    assert [r["id"] for r in found["reviews"]["nodes"]] == [review["id"]]


def test_without_an_order_the_latest_paid_purchase_verifies_the_review(shop: Shop) -> None:
    # given Bo bought the second volume
    bo = shop.sign_up("Bo", email_consent=False)
    shop.paid_order(bo, (CINDERS, "E-book"))

    # when he reviews it without naming the order
    payload = write(shop, bo, CINDERS, rating=3)

    # then the purchase is found
    assert payload["userErrors"] == []
    assert payload["review"]["verifiedPurchase"] is True


def test_someone_elses_order_is_refused_and_nothing_changes(shop: Shop) -> None:
    # given Cy's order of the third volume, and Di who bought nothing
    cy = shop.sign_up("Cy", email_consent=False)
    di = shop.sign_up("Di", email_consent=False)
    placed = shop.paid_order(cy, (HEARTH, "E-book"))
    before = product(shop, HEARTH)

    # when Di reviews the book with Cy's order
    payload = write(shop, di, HEARTH, rating=1, orderId=placed.global_id)

    # then the order is unknown to her, and nothing changed
    assert payload["review"] is None
    assert codes(payload) == ["ORDER_NOT_FOUND"]
    assert product(shop, HEARTH) == before


def test_a_product_not_bought_cannot_be_reviewed(shop: Shop) -> None:
    # given Ed bought the third volume but not Tidewater's first
    ed = shop.sign_up("Ed", email_consent=False)
    placed = shop.paid_order(ed, (HEARTH, "E-book"))
    before = product(shop, RELAY)

    # when he reviews Tidewater's first, with his order and without
    with_order = write(shop, ed, RELAY, orderId=placed.global_id)
    without = write(shop, ed, RELAY)

    # then both are refused and nothing changed
    assert codes(with_order) == ["PRODUCT_NOT_PURCHASED"]
    assert codes(without) == ["PRODUCT_NOT_PURCHASED"]
    assert product(shop, RELAY) == before


def test_a_second_review_of_the_same_product_is_refused(shop: Shop) -> None:
    # given Flo reviewed the third volume, bought twice
    flo = shop.sign_up("Flo", email_consent=False)
    shop.paid_order(flo, (HEARTH, "E-book"))
    second = shop.paid_order(flo, (HEARTH, "E-book"))
    assert write(shop, flo, HEARTH, rating=5)["userErrors"] == []
    before = product(shop, HEARTH)

    # when she reviews it again, even on her other order
    payload = write(shop, flo, HEARTH, rating=1, orderId=second.global_id)

    # then it is refused; her first review stands alone
    assert codes(payload) == ["ALREADY_REVIEWED"]
    assert product(shop, HEARTH) == before


def test_bad_inputs_are_refused_field_by_field(shop: Shop) -> None:
    # given a buyer
    gus = shop.sign_up("Gus", email_consent=False)
    shop.paid_order(gus, (RELAY, "E-book"))
    before = product(shop, RELAY)

    # when the review has six stars, a blank title and a product id of another type
    payload = shop.data(
        CREATE,
        gus.headers,
        input={
            "productId": shop.variant_gid(RELAY, "E-book"),
            "rating": 6,
            "title": " ",
            "body": "",
        },
    )["reviewCreate"]

    # then every problem is named and nothing changed
    assert sorted((e["field"][0], e["code"]) for e in payload["userErrors"]) == [
        ("productId", "INVALID_ID"),
        ("rating", "INVALID_RATING"),
        ("title", "BLANK"),
    ]
    assert product(shop, RELAY) == before


def test_only_a_customer_may_write_a_review(shop: Shop) -> None:
    # when a visitor without an account sends one
    body = shop(
        CREATE, input={"productId": shop.product_gid(RELAY), "rating": 5, "title": "x", "body": ""}
    )

    # then it is refused before anything runs
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_negative_review_is_shown_and_counted_and_moderation_is_logged(shop: Shop) -> None:
    # given two buyers of the Tidewater e-book: one star and five stars
    hal = shop.sign_up("Hal", email_consent=False)
    ivy = shop.sign_up("Ivy", email_consent=False)
    shop.paid_order(hal, (RELAY, "E-book"))
    shop.paid_order(ivy, (RELAY, "E-book"))
    harsh = write(shop, hal, RELAY, rating=1, title="Dull and too long")["review"]
    kind = write(shop, ivy, RELAY, rating=5, title="Brilliant")["review"]

    # then the one-star review is shown like the other, and counts
    shown = product(shop, RELAY, "LOWEST_RATING")
    assert [r["id"] for r in shown["reviews"]["nodes"]][:1] == [harsh["id"]]
    counts = distribution(shown)
    assert counts[1] >= 1
    assert counts[5] >= 1

    # when staff try to reject it without a policy, or without a reason
    no_policy = shop.data(
        MODERATE, shop.admin, input={"reviewId": harsh["id"], "state": "REJECTED", "reason": "x"}
    )["reviewModerate"]
    no_reason = shop.data(
        MODERATE,
        shop.admin,
        input={"reviewId": harsh["id"], "state": "REJECTED", "reason": " ", "policy": "SPAM"},
    )["reviewModerate"]

    # then both are refused and the review stays
    assert codes(no_policy) == ["POLICY_REQUIRED"]
    assert codes(no_reason) == ["REASON_REQUIRED"]
    assert product(shop, RELAY)["rating"] == shown["rating"]

    # when staff reject the five-star one for a conflict of interest
    rejected = shop.data(
        MODERATE,
        shop.admin,
        input={
            "reviewId": kind["id"],
            "state": "REJECTED",
            "reason": "Written by the author's publicist",
            "policy": "CONFLICT_OF_INTEREST",
        },
    )["reviewModerate"]

    # then it is hidden and no longer counted; the decision is in the log
    assert rejected["userErrors"] == []
    assert rejected["review"]["state"] == "REJECTED"
    after = product(shop, RELAY)
    assert kind["id"] not in [r["id"] for r in after["reviews"]["nodes"]]
    assert after["rating"]["count"] == shown["rating"]["count"] - 1
    assert distribution(after).get(5, 0) == counts[5] - 1
    logged = shop.data(STAFF_REVIEWS, shop.admin, state="REJECTED")["reviews"]["nodes"]
    entry = next(n for n in logged if n["id"] == kind["id"])["moderationLog"]
    assert entry == [
        {
            "fromState": "PUBLISHED",
            "toState": "REJECTED",
            "policy": "CONFLICT_OF_INTEREST",
            "reason": "Written by the author's publicist",
            "actor": entry[0]["actor"],
        }
    ]
    assert entry[0]["actor"].startswith("API_KEY:")

    # when staff publish it again
    again = shop.data(
        MODERATE,
        shop.admin,
        input={"reviewId": kind["id"], "state": "PUBLISHED", "reason": "Cleared on appeal"},
    )["reviewModerate"]

    # then it is counted again
    assert again["userErrors"] == []
    assert product(shop, RELAY)["rating"] == shown["rating"]


def test_a_flagged_review_stays_shown_and_counted(shop: Shop) -> None:
    # given a review
    jo = shop.sign_up("Jo", email_consent=False)
    shop.paid_order(jo, (CINDERS, "E-book"))
    review = write(shop, jo, CINDERS, rating=2, title="Not for me")["review"]
    before = product(shop, CINDERS)

    # when staff flag it for a second look
    flagged = shop.data(
        MODERATE,
        shop.admin,
        input={
            "reviewId": review["id"],
            "state": "FLAGGED",
            "reason": "A reader reported a phone number",
            "policy": "PERSONAL_INFORMATION",
        },
    )["reviewModerate"]

    # then it is still shown and counted
    assert flagged["review"]["state"] == "FLAGGED"
    after = product(shop, CINDERS)
    assert after["rating"] == before["rating"]
    assert review["id"] in [r["id"] for r in after["reviews"]["nodes"]]


def test_moderation_and_its_log_are_for_staff_only(shop: Shop) -> None:
    # given a customer
    kim = shop.sign_up("Kim", email_consent=False)

    # when they call the staff fields
    moderated = shop(
        MODERATE, kim.headers, input={"reviewId": "x", "state": "PUBLISHED", "reason": "x"}
    )
    listed = shop(STAFF_REVIEWS, kim.headers, state="PUBLISHED")

    # then both are forbidden
    assert moderated["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_staff_answer_a_review_publicly(shop: Shop) -> None:
    # given a review
    lu = shop.sign_up("Lu", email_consent=False)
    shop.paid_order(lu, (ASH_BORN, "E-book"))
    review = write(shop, lu, ASH_BORN, rating=3, title="Slow start")["review"]

    # when staff reply, then try a blank reply
    replied = shop.data(
        REPLY, shop.admin, input={"reviewId": review["id"], "body": "Volume two picks up!"}
    )["reviewReply"]
    blank = shop.data(REPLY, shop.admin, input={"reviewId": review["id"], "body": " "})[
        "reviewReply"
    ]

    # then shoppers read the answer with the review; the blank one is refused
    assert replied["userErrors"] == []
    assert codes(blank) == ["BLANK"]
    shown = next(r for r in product(shop, ASH_BORN)["reviews"]["nodes"] if r["id"] == review["id"])
    assert shown["reply"] == {"body": "Volume two picks up!"}


def test_helpful_votes_count_once_per_shopper(shop: Shop) -> None:
    # given a review, a customer and an anonymous visitor
    mo = shop.sign_up("Mo", email_consent=False)
    ned = shop.sign_up("Ned", email_consent=False)
    shop.paid_order(mo, (RELAY, "E-book"))
    review = write(shop, mo, RELAY, rating=4, title="Good")["review"]
    token = shop.data(VISITOR)["visitorStart"]["visitorToken"]

    def vote(headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
        payload: dict[str, Any] = shop.data(
            VOTE, headers, input={"reviewId": review["id"], **extra}
        )["reviewVoteHelpful"]
        return payload

    # when each votes twice, the author votes, a forged token votes, and nobody votes
    assert vote(ned.headers)["review"]["helpfulVotes"] == 1
    assert codes(vote(ned.headers)) == ["ALREADY_VOTED"]
    assert vote(visitorToken=token)["review"]["helpfulVotes"] == 2
    assert codes(vote(visitorToken=token)) == ["ALREADY_VOTED"]
    assert codes(vote(mo.headers)) == ["OWN_REVIEW"]
    assert codes(vote(visitorToken=token[:-2] + "xx")) == ["INVALID_VISITOR_TOKEN"]
    assert codes(vote()) == ["VOTER_REQUIRED"]

    # then the review has two votes
    shown = next(r for r in product(shop, RELAY)["reviews"]["nodes"] if r["id"] == review["id"])
    assert shown["helpfulVotes"] == 2


def test_the_author_alone_edits_and_deletes_and_the_rating_follows(shop: Shop) -> None:
    # given Ola's five-star review of the third volume
    ola = shop.sign_up("Ola", email_consent=False)
    pat = shop.sign_up("Pat", email_consent=False)
    shop.paid_order(ola, (HEARTH, "E-book"))
    before = product(shop, HEARTH)
    review = write(shop, ola, HEARTH, rating=5, title="Wonderful")["review"]
    counts = distribution(product(shop, HEARTH))

    # when someone else edits or deletes it
    edited = shop.data(UPDATE, pat.headers, input={"reviewId": review["id"], "rating": 1})
    deleted = shop.data(DELETE, pat.headers, input={"reviewId": review["id"]})

    # then it is as if there were no such review
    assert codes(edited["reviewUpdate"]) == ["REVIEW_NOT_FOUND"]
    assert codes(deleted["reviewDelete"]) == ["REVIEW_NOT_FOUND"]
    assert distribution(product(shop, HEARTH)) == counts

    # when Ola lowers it to two stars, then sends an empty change
    lowered = shop.data(UPDATE, ola.headers, input={"reviewId": review["id"], "rating": 2})
    empty = shop.data(UPDATE, ola.headers, input={"reviewId": review["id"]})

    # then the rating moves from five to two; the empty change is refused
    assert lowered["reviewUpdate"]["review"]["rating"] == 2
    assert codes(empty["reviewUpdate"]) == ["NOTHING_TO_CHANGE"]
    moved = distribution(product(shop, HEARTH))
    assert moved.get(5, 0) == counts[5] - 1
    assert moved.get(2, 0) == counts.get(2, 0) + 1

    # when she deletes it
    gone = shop.data(DELETE, ola.headers, input={"reviewId": review["id"]})["reviewDelete"]

    # then the product is as before her review, and she may write a new one
    assert gone["deletedReviewId"] == review["id"]
    assert product(shop, HEARTH)["rating"] == before["rating"]
    assert write(shop, ola, HEARTH, rating=4)["userErrors"] == []


def test_a_full_refund_ends_the_verified_mark_but_not_the_review(shop: Shop) -> None:
    # given Quin's review of a purchase
    quin = shop.sign_up("Quin", email_consent=False)
    placed = shop.paid_order(quin, (CINDERS, "E-book"))
    review = write(shop, quin, CINDERS, rating=1, title="Refund please", orderId=placed.global_id)[
        "review"
    ]

    # when the order is refunded in full
    shop.refund(placed, placed.order.total.amount)

    # then the review is still shown, no longer verified
    shown = next(r for r in product(shop, CINDERS)["reviews"]["nodes"] if r["id"] == review["id"])
    assert (shown["verifiedPurchase"], shown["state"]) == (False, "PUBLISHED")
    # and a refunded order can no longer be the purchase of a new review
    assert codes(write(shop, quin, CINDERS, orderId=placed.global_id)) == ["ALREADY_REVIEWED"]


def test_products_sort_and_filter_by_rating(shop: Shop) -> None:
    # given ratings written by the tests above and two more here
    ray = shop.sign_up("Ray", email_consent=False)
    shop.paid_order(ray, (ASH_BORN, "E-book"), (RELAY, "E-book"))
    write(shop, ray, ASH_BORN, rating=5)
    write(shop, ray, RELAY, rating=5)

    # when the listing is sorted by rating, and filtered to 3 stars and up
    ranked = shop.data(LISTING, sortKey="RATING")["products"]["nodes"]
    reverse = shop.data(LISTING, sortKey="RATING", reverse=True)["products"]["nodes"]
    good = shop.data(LISTING, sortKey="RATING", filter={"minRating": "3"})["products"]["nodes"]

    # then rated products come first, best shown average first, unrated ones last
    rated = [p for p in ranked if p["rating"]["count"] > 0]
    assert ranked[: len(rated)] == rated
    shown = [(float(p["rating"]["average"]), p["rating"]["count"]) for p in rated]
    assert shown == sorted(shown, reverse=True)
    assert [p["handle"] for p in reverse[: len(rated)]] == [p["handle"] for p in rated[::-1]]
    assert all(p["rating"]["count"] == 0 for p in reverse[len(rated) :])
    assert good == [p for p in rated if float(p["rating"]["average"]) >= 3]
    assert good
    assert len(good) < len(ranked)


def test_a_min_rating_finer_than_a_tenth_is_bad_input(shop: Shop) -> None:
    # when the filter asks for 4.25 stars, or 6
    finer = shop(LISTING, filter={"minRating": "4.25"})
    above = shop(LISTING, filter={"minRating": "6"})

    # then both are refused as bad input
    assert finer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert above["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
