"""Personal offers through the GraphQL API: a code one customer owns, for chosen items.

One table and app for the file (module scope): two 10.00 USD e-books (no shipping, so
totals are the merchandise), two customers signed up over GraphQL, and staff's key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.graphql.ids import from_global_id, to_global_id
from commerce.money import Currency, Money
from commerce.payments.local import LocalStripe
from commerce.pricing.model import Conditions, ItemsOff, Promotion, Selector
from commerce.problems import Rejected
from table_settings import fresh_settings

SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) {
    customer { id } session { accessToken } userErrors { code }
  }
}"""
CODE_CREATE = """
mutation ($input: DiscountCodeCreateInput!) {
  discountCodeCreate(input: $input) {
    discountCodes { code usageLimit customerId endsAt }
    userErrors { field code message }
  }
}"""
CART_CREATE = """
mutation ($input: CartCreateInput!) {
  cartCreate(input: $input) { cart { id } userErrors { field code message } }
}"""
CART_CODES = """
mutation ($input: CartDiscountCodesUpdateInput!) {
  cartDiscountCodesUpdate(input: $input) {
    cart {
      id
      cost { discountAmount { amount } totalAmount { amount } }
      lines {
        merchandise { ... on ProductVariant { sku } }
        discountAllocations { amount { amount } }
      }
      discountCodes { code applicable reason message }
    }
    userErrors { field code message }
  }
}"""
CHECKOUT = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { discountAmount { amount } total { amount } }
    userErrors { field code message }
  }
}"""


@dataclass
class Shop:
    services: Services
    client: TestClient
    staff: dict[str, str]
    ada: dict[str, str]
    ada_id: str
    bo: dict[str, str]
    novel: str  # variant global ids
    poems: str
    novel_product: str  # local product ids
    poems_product: str

    def __call__(
        self, query: str, headers: dict[str, str] | None = None, **variables: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body

    def cart_with(self, code: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """A cart of both e-books with ``code`` entered, as the shopper sees it."""
        lines = [{"merchandiseId": v, "quantity": 1} for v in (self.novel, self.poems)]
        created = self(
            CART_CREATE,
            headers,
            input={
                "currency": "USD",
                "lines": lines,
                "buyerIdentity": {"email": "reader@example.com"},
            },
        )["data"]["cartCreate"]
        assert created["userErrors"] == [], created
        updated = self(
            CART_CODES, headers, input={"cartId": created["cart"]["id"], "discountCodes": [code]}
        )["data"]["cartDiscountCodesUpdate"]
        assert updated["userErrors"] == [], updated
        cart: dict[str, Any] = updated["cart"]
        return cart


def _ebook(services: Services, title: str, sku: str) -> tuple[str, str]:
    product = services.catalog.create_product(
        ProductDraft(
            title=title,
            published=True,
            variants=(
                VariantDraft(
                    sku=sku, prices=(Money(1000, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    return product.id, to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}")


def _sign_up(client: TestClient) -> tuple[dict[str, str], str]:
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    variables = {"input": {"email": email, "password": "a reader's passphrase"}}
    body = client.post("/graphql", json={"query": SIGN_UP, "variables": variables}).json()
    result = body["data"]["customerSignUp"]
    assert result["userErrors"] == [], result
    headers = {"Authorization": f"Bearer {result['session']['accessToken']}"}
    return headers, result["customer"]["id"]


@pytest.fixture(scope="module")
def shop(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Iterator[Shop]:
    services = build_services(
        fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_offers")
    )
    create_table_if_missing()
    novel_product, novel = _ebook(services, "The Dispossessed", "DISP-EPUB")
    poems_product, poems = _ebook(services, "Collected Poems", "POEMS-EPUB")
    staff = {"X-API-Key": services.access.create_key("staff", frozenset({Scope.ADMIN})).plaintext}
    with TestClient(create_app(services)) as client:
        ada, ada_id = _sign_up(client)
        bo, _ = _sign_up(client)
        yield Shop(
            services, client, staff, ada, ada_id, bo, novel, poems, novel_product, poems_product
        )


def _novel_half_off(shop: Shop, **code_fields: Any) -> dict[str, Any]:
    """Staff's personal code for Ada: 50% off the novel only, through discountCodeCreate."""
    promotion = shop.services.promotions.create_promotion(
        Promotion(
            "",
            "Half off the novel, for Ada",
            ItemsOff(Selector(product_ids=frozenset({shop.novel_product})), Decimal(50)),
            Conditions(requires_code=True),
        )
    )
    code = f"ADA-{uuid.uuid4().hex[:8]}"
    body = shop(
        CODE_CREATE,
        shop.staff,
        input={
            "promotionId": to_global_id("Promotion", promotion.id),
            "code": code,
            "usageLimit": 1,
            "customerId": shop.ada_id,
            **code_fields,
        },
    )
    payload: dict[str, Any] = body["data"]["discountCodeCreate"]
    return {**payload, "promotion": promotion.id}


def _code_state(cart: dict[str, Any]) -> tuple[bool, str | None]:
    [entered] = cart["discountCodes"]
    return entered["applicable"], entered["reason"]


def test_the_owner_gets_the_discount_on_the_scoped_items_only(shop: Shop) -> None:
    # given staff's single-use code for Ada, on the novel only
    payload = _novel_half_off(shop)
    assert payload["userErrors"] == []
    [created] = payload["discountCodes"]
    assert created["customerId"] == shop.ada_id
    # when Ada enters it on a cart holding the novel and the poems
    cart = shop.cart_with(created["code"], shop.ada)
    # then the novel is half price and the poems are not touched
    assert _code_state(cart) == (True, None)
    assert cart["cost"] == {
        "discountAmount": {"amount": "5.00"},
        "totalAmount": {"amount": "15.00"},
    }
    saved = {
        line["merchandise"]["sku"]: [d["amount"]["amount"] for d in line["discountAllocations"]]
        for line in cart["lines"]
    }
    assert saved == {"DISP-EPUB": ["5.00"], "POEMS-EPUB": []}


@pytest.mark.parametrize("who", ["another customer", "a guest"])
def test_anyone_but_the_owner_is_refused_with_not_your_code(shop: Shop, who: str) -> None:
    [created] = _novel_half_off(shop)["discountCodes"]
    headers = shop.bo if who == "another customer" else None
    cart = shop.cart_with(created["code"], headers)
    assert _code_state(cart) == (False, "NOT_YOUR_CODE")
    assert cart["discountCodes"][0]["message"] == (
        f"code {created['code']} not applied: it is a personal offer for another customer"
    )
    assert cart["cost"]["totalAmount"] == {"amount": "20.00"}


def test_a_second_use_is_refused(shop: Shop) -> None:
    # given Ada used her code once, at checkout
    [created] = _novel_half_off(shop)["discountCodes"]
    cart = shop.cart_with(created["code"], shop.ada)
    checkout = shop(
        CHECKOUT, shop.ada, input={"cartId": cart["id"], "idempotencyKey": str(uuid.uuid4())}
    )["data"]["checkoutComplete"]
    assert checkout["userErrors"] == [], checkout
    assert checkout["order"]["discountAmount"] == {"amount": "5.00"}
    # when she enters it on a new cart
    again = shop.cart_with(created["code"], shop.ada)
    # then it is used up
    assert _code_state(again) == (False, "USED_UP")
    assert again["cost"]["totalAmount"] == {"amount": "20.00"}


def test_an_expired_personal_code_is_refused_to_its_owner(shop: Shop) -> None:
    ended = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    payload = _novel_half_off(shop, endsAt=ended)
    assert payload["userErrors"] == []
    [created] = payload["discountCodes"]
    assert _code_state(shop.cart_with(created["code"], shop.ada)) == (False, "EXPIRED")
    # and someone else learns only that it is not theirs
    assert _code_state(shop.cart_with(created["code"], shop.bo)) == (False, "NOT_YOUR_CODE")


def test_a_customer_id_that_is_not_one_is_a_user_error_and_stores_nothing(shop: Shop) -> None:
    payload = _novel_half_off(shop, customerId=to_global_id("Product", shop.novel_product))
    assert payload["discountCodes"] == []
    assert payload["userErrors"] == [
        {"field": ["customerId"], "code": "INVALID_ID", "message": "Not a valid Customer ID"}
    ]
    assert shop.services.promotions.codes(payload["promotion"]) == []


def test_an_issued_personal_offer_applies_for_its_customer_until_it_expires(shop: Shop) -> None:
    # given the loyalty feature issues Ada 20% off the poems, for a day
    promotions = shop.services.promotions
    ada = from_global_id(shop.ada_id, "Customer")
    offer = promotions.issue_personal_offer(
        ada, [shop.poems_product], Decimal(20), datetime.now(UTC) + timedelta(days=1)
    )
    assert offer.usage_limit == 1
    # then Ada gets 2.00 off the poems, the novel untouched; Bo is refused
    cart = shop.cart_with(offer.code, shop.ada)
    assert _code_state(cart) == (True, None)
    assert cart["cost"]["discountAmount"] == {"amount": "2.00"}
    assert _code_state(shop.cart_with(offer.code, shop.bo)) == (False, "NOT_YOUR_CODE")
    # and an offer that would expire already is refused, storing nothing
    before = len(promotions.promotions())
    with pytest.raises(Rejected) as refused:
        promotions.issue_personal_offer(
            ada, [shop.poems_product], Decimal(20), datetime.now(UTC) - timedelta(seconds=1)
        )
    assert [p.field for p in refused.value.problems] == [("expiresAt",)]
    assert len(promotions.promotions()) == before
