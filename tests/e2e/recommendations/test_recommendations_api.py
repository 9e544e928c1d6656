"""Recommendations through the GraphQL API, from paid orders brought by the table's stream.

One demo bookstore for the whole file (module scope): customers sign up over GraphQL,
their orders are placed and paid through the services, and each payment reaches the
recommendations as the stream delivers it (a MODIFY record with both images) through the
events function's own dispatch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.cart.commands import CreateCart
from commerce.cart.model import BuyerIdentity, LineRequest
from commerce.catalog.demo import seed_demo_catalog
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.jobs.runner import run_job
from commerce.money import Currency
from commerce.observability.metrics import Metrics
from commerce.payments.local import LocalStripe
from commerce.principals import Shopper
from commerce.recommendations.shoppers import ShopperRef
from commerce.recommendations.store import co_purchases
from commerce.recommendations.store import co_views as co_view_rows
from dynamodb_calls import count_dynamodb_calls
from placed_orders import order_image
from stream_records import batch, stream_record
from table_settings import fresh_settings

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { session { accessToken } userErrors { code } }
}
"""
FOR_PRODUCT = """
query ($handle: String!, $kind: ProductRecommendationKind!, $first: Int, $currency: CurrencyCode) {
  product(handle: $handle) {
    recommendations(kind: $kind, first: $first, currency: $currency) {
      nodes {
        product { handle priceRange { minVariantPrice { amount currencyCode } } }
        reason { code message }
      }
      pageInfo { hasNextPage }
    }
  }
}
"""
FOR_ME = """
query ($first: Int, $cartId: ID, $currency: CurrencyCode) {
  recommendations(first: $first, cartId: $cartId, currency: $currency) {
    nodes { product { handle } reason { code message } }
  }
}
"""
LISTING = """
query ($first: Int!) {
  products(first: $first) {
    nodes {
      handle
      recommendations(kind: COMPLEMENTARY, first: 3) { nodes { product { handle } } }
    }
  }
}
"""
CUSTOMER_ID = "query { customer { id } }"

ASH_BORN = "the-ash-born-queen"  # The Emberfall Cycle, volume 1 (Mara Vellacott)
CINDERS = "a-crown-of-cinders"  # volume 2
HEARTH = "the-hearth-at-the-worlds-edge"  # volume 3
LAST_EMBERFALL = "emberfall"  # volume 4, not published yet
RELAY = "the-drowned-relay"  # Tidewater Station, volume 1
ALIBI = "the-clockmakers-alibi"  # Lantern Street, volume 2
NINE_KEYS = "nine-keys-to-harbour-house"  # Lantern Street, volume 3
QUIET_POISON = "a-quiet-poison-on-lantern-street"  # Lantern Street, volume 1


@dataclass
class Shop:
    services: Services
    client: TestClient
    consumers: Consumers
    metrics: Metrics
    ada: dict[str, str]
    ada_id: str
    bo: dict[str, str]
    bo_id: str

    def __call__(
        self, query: str, headers: dict[str, str] | None = None, **variables: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def product_id(self, handle: str) -> str:
        found = self.services.catalog.product_by_handle(handle, include_unpublished=True)
        assert found is not None
        return found.product.id

    def variant(self, handle: str, format_name: str) -> tuple[str, str]:
        found = self.services.catalog.product_by_handle(handle, include_unpublished=True)
        assert found is not None
        variant = next(v for v in found.product.variants if v.title == format_name)
        return found.product.id, variant.id

    def paid_order(
        self, customer_id: str | None, *lines: tuple[str, str], country: str = "GB"
    ) -> dict[str, Any]:
        """Place and pay an order; the stream record its payment makes."""
        services = self.services
        cart = services.cart.create(
            CreateCart(
                lines=[LineRequest(*self.variant(h, f), 1) for h, f in lines],
                buyer_identity=BuyerIdentity(email="reader@example.com"),
            ),
            Shopper(customer_id),
        ).cart
        order = services.checkout.complete(
            cart.id, f"key-{uuid.uuid4()}", Shopper(customer_id)
        ).order
        awaiting = order_image(order.id)
        services.orders.payment_succeeded(
            order_id=order.id, intent_id=str(order.payment_intent_id), amount=order.total
        )
        return stream_record("MODIFY", new=order_image(order.id), old=awaiting)

    def stream(self, *records: dict[str, Any]) -> None:
        assert consume_batch(batch(*records), self.consumers, self.metrics) == {
            "batchItemFailures": []
        }


def _sign_up(client: TestClient, email: str) -> tuple[dict[str, str], str]:
    body = client.post(
        "/graphql",
        json={
            "query": SIGN_UP,
            "variables": {"input": {"email": email, "password": "a reader's passphrase"}},
        },
    ).json()
    headers = {
        "Authorization": f"Bearer {body['data']['customerSignUp']['session']['accessToken']}"
    }
    me = client.post("/graphql", json={"query": CUSTOMER_ID}, headers=headers).json()
    return headers, from_global_id(me["data"]["customer"]["id"], "Customer")


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    # A cached catalog view, as in production: the round trips counted below are the
    # recommendations' own.
    settings = replace(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_recs"),
        catalog_cache_seconds=60,
    )
    services = build_services(settings)
    create_table_if_missing()
    seed_demo_catalog(services.catalog)
    metrics = Metrics(namespace="Commerce", service="events")
    with TestClient(create_app(services)) as client:
        ada, ada_id = _sign_up(client, f"ada-{uuid.uuid4().hex[:6]}@example.com")
        bo, bo_id = _sign_up(client, f"bo-{uuid.uuid4().hex[:6]}@example.com")
        shop = Shop(services, client, Consumers(services, metrics), metrics, ada, ada_id, bo, bo_id)
        # Ada reads Emberfall as e-books and bought a Tidewater e-book; Bo and a guest
        # bought the first Emberfall with the first Lantern Street mystery; another guest
        # the second and third Emberfall volumes.
        shop.stream(
            shop.paid_order(ada_id, (ASH_BORN, "E-book"), (RELAY, "E-book")),
            shop.paid_order(bo_id, (ASH_BORN, "E-book"), (QUIET_POISON, "E-book")),
            shop.paid_order(None, (ASH_BORN, "E-book"), (QUIET_POISON, "E-book")),
            shop.paid_order(None, (CINDERS, "E-book"), (HEARTH, "E-book")),
        )
        yield shop


def nodes(body: dict[str, Any], *path: str) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    found: Any = body["data"]
    for step in path:
        found = found[step]
    result: list[dict[str, Any]] = found["nodes"]
    return result


def handles(items: list[dict[str, Any]]) -> list[str]:
    return [item["product"]["handle"] for item in items]


def test_complementary_products_are_what_paid_orders_bought_together(shop: Shop) -> None:
    # when a shopper opens the first Emberfall volume's page, priced in euros
    body = shop(FOR_PRODUCT, handle=ASH_BORN, kind="COMPLEMENTARY", currency="EUR")
    items = nodes(body, "product", "recommendations")
    # then the book bought with it twice comes first, then the one bought with it once
    assert handles(items) == [QUIET_POISON, RELAY]
    assert items[0]["reason"] == {
        "code": "BOUGHT_TOGETHER",
        "message": "Often bought with *The Ash-Born Queen*",
    }
    assert items[0]["product"]["priceRange"]["minVariantPrice"]["currencyCode"] == "EUR"
    assert body["data"]["product"]["recommendations"]["pageInfo"] == {"hasNextPage": False}


def test_a_redelivered_payment_record_counts_its_order_once(shop: Shop) -> None:
    # given an order paid and counted
    record = shop.paid_order(None, (ALIBI, "E-book"), (NINE_KEYS, "E-book"))
    shop.stream(record)
    before = co_purchases.get_rows([shop.product_id(ALIBI)])[shop.product_id(ALIBI)].counts
    # when the stream delivers the same record again (a retried batch)
    shop.stream(record)
    # then nothing more is counted
    after = co_purchases.get_rows([shop.product_id(ALIBI)])[shop.product_id(ALIBI)].counts
    assert after == before
    assert before.occurrences == 1
    assert before.pairs[shop.product_id(NINE_KEYS)].together == 1


def test_related_products_share_the_series_nearest_volume_first_then_the_author(
    shop: Shop,
) -> None:
    # when the first volume's page asks for related products
    items = nodes(
        shop(FOR_PRODUCT, handle=ASH_BORN, kind="RELATED", first=5), "product", "recommendations"
    )
    # then the next volumes of its series, nearest first; the unpublished one never shows
    assert handles(items)[:2] == [CINDERS, HEARTH]
    assert LAST_EMBERFALL not in handles(items)
    assert items[0]["reason"] == {
        "code": "SAME_SERIES",
        "message": "Also in *The Emberfall Cycle*",
    }


def test_a_customer_gets_the_next_volume_and_never_the_e_book_they_own(shop: Shop) -> None:
    # when Ada, who bought the first Emberfall e-book, asks for her recommendations
    items = nodes(shop(FOR_ME, shop.ada, first=10), "recommendations")
    by_handle = {item["product"]["handle"]: item["reason"] for item in items}
    # then the next volumes of her two series lead, with their reason
    assert {item["product"]["handle"] for item in items[:2]} == {CINDERS, "saltwater-protocol"}
    assert by_handle[CINDERS] == {
        "code": "NEXT_IN_SERIES",
        "message": "Next in *The Emberfall Cycle*",
    }
    # and what others bought with her books follows
    assert by_handle[QUIET_POISON] == {
        "code": "BECAUSE_YOU_BOUGHT",
        "message": "Because you bought *The Ash-Born Queen*",
    }
    # and the e-books she owns are not offered again
    assert ASH_BORN not in by_handle
    assert RELAY not in by_handle


def test_a_cart_s_lines_seed_the_list_and_stay_out_of_it(shop: Shop) -> None:
    # given a guest's cart holding the first Emberfall volume
    cart = shop.services.cart.create(
        CreateCart(lines=[LineRequest(*shop.variant(ASH_BORN, "E-book"), 1)])
    ).cart
    cart_id = to_global_id("Cart", cart.id)
    # when the guest asks for recommendations with the cart
    items = nodes(shop(FOR_ME, cartId=cart_id), "recommendations")
    # then what is bought with the cart's book comes first, and the book itself never
    assert items[0]["product"]["handle"] == QUIET_POISON
    assert items[0]["reason"] == {
        "code": "GOES_WITH_CART",
        "message": "Goes with *The Ash-Born Queen* in your cart",
    }
    assert ASH_BORN not in handles(items)
    # and another customer's cart counts as no cart at all
    bo_cart = shop.services.cart.create(
        CreateCart(lines=[LineRequest(*shop.variant(ASH_BORN, "E-book"), 1)]),
        Shopper(shop.bo_id),
    ).cart
    as_ada = nodes(
        shop(FOR_ME, shop.ada, cartId=to_global_id("Cart", bo_cart.id)), "recommendations"
    )
    assert "GOES_WITH_CART" not in {item["reason"]["code"] for item in as_ada}


def test_new_shoppers_get_the_best_sellers_once_the_model_is_trained(shop: Shop) -> None:
    # given the nightly training run over the paid orders
    result = run_job(
        {"job": "train-recommendations", "time": datetime.now(UTC).isoformat()},
        shop.services,
        shop.metrics,
    )
    assert result["ok"] is True
    assert result["orders"] >= 3
    # when a shopper nobody knows asks
    items = nodes(shop(FOR_ME, first=3), "recommendations")
    # then the store's best seller comes first, said to be one
    assert items[0]["product"]["handle"] == ASH_BORN
    assert {item["reason"]["code"] for item in items} == {"POPULAR"}
    assert items[0]["reason"]["message"] == "Popular in the store"


def test_unpublished_products_are_never_recommended(shop: Shop) -> None:
    # given the Lantern Street mystery taken off the shelves
    shop.services.catalog.set_published(shop.product_id(QUIET_POISON), False)
    try:
        # when the first Emberfall volume's page asks for what is bought with it
        items = nodes(
            shop(FOR_PRODUCT, handle=ASH_BORN, kind="COMPLEMENTARY"), "product", "recommendations"
        )
        # then the hidden book is left out
        assert handles(items) == [RELAY]
    finally:
        shop.services.catalog.set_published(shop.product_id(QUIET_POISON), True)


@pytest.mark.parametrize("first", [0, 21, 100000])
def test_a_page_size_out_of_range_is_bad_user_input(shop: Shop, first: int) -> None:
    for body in (
        shop(FOR_ME, first=first),
        shop(FOR_PRODUCT, handle=ASH_BORN, kind="RELATED", first=first),
    ):
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


def test_a_malformed_cart_id_is_bad_user_input_and_an_unknown_product_is_null(
    shop: Shop,
) -> None:
    body = shop(FOR_ME, cartId="not-a-cart")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    unknown = shop(FOR_PRODUCT, handle="no-such-book", kind="COMPLEMENTARY")
    assert unknown == {"data": {"product": None}}


def test_a_product_page_costs_one_read_and_a_listing_one_batch(shop: Shop) -> None:
    shop(FOR_PRODUCT, handle=ASH_BORN, kind="COMPLEMENTARY")  # the catalog view, cached
    with count_dynamodb_calls() as calls:
        shop(FOR_PRODUCT, handle=ASH_BORN, kind="COMPLEMENTARY")
    assert calls.operations == ["BatchGetItem"]
    with count_dynamodb_calls() as calls:
        listed = shop(LISTING, first=50)
    assert len(listed["data"]["products"]["nodes"]) > 10
    assert calls.operations == ["BatchGetItem"]


def test_recently_viewed_keeps_the_newest_twenty_and_expires(shop: Shop) -> None:
    service = shop.services.recommendations
    ref = ShopperRef.visitor(uuid.uuid4().hex)
    view = shop.services.catalog.view()
    ids = [p.id for p in view.snapshot.products][:21]
    now = datetime.now(UTC)
    # when journeys reports 21 products viewed one after the other
    for at, product_id in enumerate(ids):
        service.record_views(ref, [product_id], now + timedelta(seconds=at))
    # then the newest twenty are kept, newest first
    assert service.recently_viewed(ref) == list(reversed(ids))[:20]
    # and what is not a product id is never stored
    service.record_views(ref, ["PRODUCT#../x", ""], now + timedelta(minutes=5))
    assert service.recently_viewed(ref) == list(reversed(ids))[:20]
    # and views recorded longer ago than they are kept are gone
    old = ShopperRef.visitor(uuid.uuid4().hex)
    service.record_views(old, ids[:1], now - timedelta(days=31))
    assert service.recently_viewed(old) == []


def test_viewed_products_seed_the_list_of_a_customer_who_bought_nothing(shop: Shop) -> None:
    # given a new customer who viewed the third Emberfall volume (bought with the second)
    headers, customer_id = _sign_up(shop.client, f"cy-{uuid.uuid4().hex[:6]}@example.com")
    shop.services.recommendations.record_views(
        ShopperRef.customer(customer_id), [shop.product_id(HEARTH)], datetime.now(UTC)
    )
    # when they ask for their recommendations
    items = nodes(shop(FOR_ME, headers, first=3), "recommendations")
    # then what is bought with the viewed book leads, because of the view
    assert items[0]["product"]["handle"] == CINDERS
    assert items[0]["reason"] == {
        "code": "BECAUSE_YOU_VIEWED",
        "message": "Because you viewed *The Hearth at the World's Edge*",
    }


def test_erasing_a_customer_erases_their_affinity(shop: Shop) -> None:
    # given Bo's history and views are erased
    erased = shop.services.recommendations.erase_customer(shop.bo_id)
    assert erased >= 1
    # then his list is the store's best sellers, nothing of his own
    items = nodes(shop(FOR_ME, shop.bo, first=5), "recommendations")
    assert {item["reason"]["code"] for item in items} <= {"POPULAR", "POPULAR_IN_COUNTRY"}


EVENTS_RECORD = """
mutation ($input: EventsRecordInput!) {
  eventsRecord(input: $input) { visitorToken stored userErrors { field code } }
}
"""
CONSENT_SET = """
mutation ($input: VisitorConsentSetInput!) {
  visitorConsentSet(input: $input) { visitorToken userErrors { code } }
}
"""
FOR_VISITOR = """
query ($first: Int, $visitorToken: String) {
  recommendations(first: $first, visitorToken: $visitorToken) {
    nodes { product { handle } reason { code message } }
  }
}
"""


def _view(
    shop: Shop,
    handle: str,
    visitor: str | None = None,
    headers: dict[str, str] | None = None,
    phase: str = "START",
) -> str:
    """A storefront's PRODUCT_VIEW through ``eventsRecord``; the visitor token it returns."""
    view = {
        "eventId": uuid.uuid4().hex,
        "kind": "PRODUCT_VIEW",
        "phase": phase,
        "occurredAt": datetime.now(UTC).isoformat(),
        "productId": to_global_id("Product", shop.product_id(handle)),
    }
    body = shop(EVENTS_RECORD, headers, input={"visitorToken": visitor, "events": [view]})
    assert "errors" not in body, body
    result = body["data"]["eventsRecord"]
    assert result["userErrors"] == [], result
    assert result["stored"] == 1, result
    token: str = result["visitorToken"]
    return token


def test_a_visitor_s_product_views_seed_their_list_through_their_token(shop: Shop) -> None:
    # given an anonymous visitor who viewed the third Emberfall volume
    token = _view(shop, HEARTH)
    # when they ask for recommendations with their visitor token
    items = nodes(shop(FOR_VISITOR, first=3, visitorToken=token), "recommendations")
    # then what is bought with the viewed book leads, because of the view
    assert items[0]["product"]["handle"] == CINDERS
    assert items[0]["reason"] == {
        "code": "BECAUSE_YOU_VIEWED",
        "message": "Because you viewed *The Hearth at the World's Edge*",
    }
    # and without the token nothing of theirs is known
    anonymous = nodes(shop(FOR_VISITOR, first=3), "recommendations")
    assert "BECAUSE_YOU_VIEWED" not in {item["reason"]["code"] for item in anonymous}


def test_only_a_view_s_start_counts_as_viewing(shop: Shop) -> None:
    # given a visitor whose storefront sent only a view's heartbeat and end
    token = _view(shop, HEARTH, phase="HEARTBEAT")
    _view(shop, HEARTH, token, phase="END")
    # then their list knows no view
    items = nodes(shop(FOR_VISITOR, first=3, visitorToken=token), "recommendations")
    assert "BECAUSE_YOU_VIEWED" not in {item["reason"]["code"] for item in items}


def test_a_signed_in_customer_s_views_fill_their_own_list(shop: Shop) -> None:
    # given a new customer who viewed the third Emberfall volume while signed in
    headers, _ = _sign_up(shop.client, f"di-{uuid.uuid4().hex[:6]}@example.com")
    _view(shop, HEARTH, headers=headers)
    # when they ask for their recommendations, with no visitor token
    items = nodes(shop(FOR_ME, headers, first=3), "recommendations")
    # then the view seeds the customer's own list
    assert items[0]["product"]["handle"] == CINDERS
    assert items[0]["reason"]["code"] == "BECAUSE_YOU_VIEWED"


@pytest.mark.parametrize("forge", ["altered", "unsigned"])
def test_a_forged_visitor_token_is_bad_user_input(shop: Shop, forge: str) -> None:
    token = _view(shop, HEARTH)
    prefix, visitor_id, signature = token.split(".")
    forged = (
        f"{prefix}.{visitor_id}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
        if forge == "altered"
        else visitor_id
    )
    body = shop(FOR_VISITOR, first=3, visitorToken=forged)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "visitorToken"}
    assert error["message"] == "The visitor token is not one this store issued"


def test_withdrawn_consent_forgets_the_visitor_s_views(shop: Shop) -> None:
    # given a visitor whose view seeds their list
    token = _view(shop, HEARTH)
    before = nodes(shop(FOR_VISITOR, first=3, visitorToken=token), "recommendations")
    assert before[0]["reason"]["code"] == "BECAUSE_YOU_VIEWED"
    # when they withdraw analytics consent
    body = shop(CONSENT_SET, input={"visitorToken": token, "analytics": False})
    assert body["data"]["visitorConsentSet"]["userErrors"] == [], body
    # then their list no longer knows what they viewed
    after = nodes(shop(FOR_VISITOR, first=3, visitorToken=token), "recommendations")
    assert "BECAUSE_YOU_VIEWED" not in {item["reason"]["code"] for item in after}


def test_related_products_end_with_what_the_product_s_viewers_also_viewed(shop: Shop) -> None:
    # given the product with the fewest shared links, and two products linked to it by
    # nothing but shoppers' views
    catalog = shop.services.catalog.view().snapshot.products
    ids = [p.id for p in catalog if p.published]
    linked = shop.services.recommendations.for_products(ids, "RELATED", 20, Currency.USD)
    source = min(ids, key=lambda pid: (len(linked[pid]), pid))
    shown = {r.product_id for r in linked[source]} | {source}
    handle = {p.id: p.handle for p in catalog}
    often, once = [h for pid, h in sorted(handle.items()) if pid not in shown and pid in ids][:2]
    # (another page size than below: storefront answers are cached with their catalog
    # view, and the co-views are new facts within it)
    before = nodes(
        shop(FOR_PRODUCT, handle=handle[source], kind="RELATED", first=19),
        "product",
        "recommendations",
    )
    # (other tests' visitors may have co-viewed it already: the counts below are added)
    stored = co_view_rows.get_rows([source])
    earlier = dict(stored[source].counts) if source in stored else {}
    # when two visitors view it and then the first product, one of them back and forth,
    # and a third views it and then the second
    for _ in range(2):
        token = _view(shop, handle[source])
        _view(shop, often, token)
    _view(shop, handle[source], token)
    _view(shop, often, token)
    third = _view(shop, handle[source])
    _view(shop, once, third)
    # then each visitor counted once per pair
    counts = dict(co_view_rows.get_rows([source])[source].counts)
    often_id, once_id = shop.product_id(often), shop.product_id(once)
    assert counts[often_id] - earlier.get(often_id, 0) == 2
    assert counts[once_id] - earlier.get(once_id, 0) == 1
    # and its related list keeps its shared links first and ends with the co-viewed
    # products, most viewers first, each with its reason
    after = nodes(
        shop(FOR_PRODUCT, handle=handle[source], kind="RELATED", first=20),
        "product",
        "recommendations",
    )
    links = [i for i in before if i["reason"]["code"] != "VIEWED_TOGETHER"]
    assert after[: len(links)] == links
    tail = after[len(links) :]
    title = next(p.title for p in catalog if p.id == source)
    linked_ids = {shop.product_id(i["product"]["handle"]) for i in links} | {source}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    expected = [handle[pid] for pid, _ in ranked if pid not in linked_ids and pid in ids]
    assert [item["product"]["handle"] for item in tail] == expected[: 20 - len(links)]
    assert {often, once} <= {item["product"]["handle"] for item in tail}
    assert {item["reason"]["message"] for item in tail} == {
        f"Viewed by shoppers who viewed *{title}*"
    }
    assert {item["reason"]["code"] for item in tail} == {"VIEWED_TOGETHER"}


def test_a_related_list_costs_one_read_and_a_listing_s_lists_one_batch(shop: Shop) -> None:
    # Each request asks for another page size: a repeated one would be a cached answer.
    shop(FOR_PRODUCT, handle=ASH_BORN, kind="RELATED", first=3)  # the catalog view, cached
    with count_dynamodb_calls() as calls:
        shop(FOR_PRODUCT, handle=ASH_BORN, kind="RELATED", first=4)
    assert calls.operations == ["BatchGetItem"]
    related_listing = LISTING.replace("kind: COMPLEMENTARY", "kind: RELATED")
    for first in (5, 49):
        with count_dynamodb_calls() as calls:
            listed = shop(related_listing, first=first)
        assert len(listed["data"]["products"]["nodes"]) == min(first, len(_published(shop)))
        assert calls.operations == ["BatchGetItem"]


def _published(shop: Shop) -> list[str]:
    return [p.id for p in shop.services.catalog.view().snapshot.products if p.published]
