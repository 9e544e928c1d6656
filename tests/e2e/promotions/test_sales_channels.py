"""Promotions for one sales channel: the apps' key or header gets them; PARTNER_API is unfakeable.

The channel comes from the API key (a partner's is PARTNER_API, the apps' storefront key
MOBILE), else from the ``X-Commerce-Channel`` header, else WEB; carts, checkout and the
offers on a product all price for it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.access import store as access_store
from commerce.app import create_app
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import VariantKind
from commerce.composition import Services
from commerce.db.table import TableItem
from commerce.graphql.ids import to_global_id
from commerce.money import Currency, Money
from commerce.pricing.model import Conditions, ItemsOff, Promotion, Selector
from commerce.principals import Channel

SHOP = "https://shop.example"
USER_ERRORS = "userErrors { field code message }"
CART_CREATE = f"""
mutation ($input: CartCreateInput!) {{
  cartCreate(input: $input) {{
    cart {{
      id
      cost {{ discountAmount {{ amount }} totalAmount {{ amount }} }}
      lines {{ discountAllocations {{ promotionId amount {{ amount }} }} }}
    }}
    {USER_ERRORS}
  }}
}}"""
CHECKOUT = f"""
mutation ($input: CheckoutCompleteInput!) {{
  checkoutComplete(input: $input) {{
    order {{
      discountAmount {{ amount }} total {{ amount }}
      lines {{ discounts {{ promotionId amount {{ amount }} }} }}
    }}
    {USER_ERRORS}
  }}
}}"""
OFFERS = "query ($id: ID!) { offers(productId: $id) { promotionId saving { amount } } }"
KEY_CREATE = f"""
mutation ($input: ApiKeyCreateInput!) {{
  apiKeyCreate(input: $input) {{ apiKey {{ prefix channel }} secret {USER_ERRORS} }}
}}"""
PARTNER_CREATE = """
mutation ($input: PartnerCreateInput!) { partnerCreate(input: $input) { partner { id } } }
"""
KEYS = "{ apiKeys { prefix name channel } }"
MY_CART = "{ customer { cart { id cost { totalAmount { amount } } } } }"
SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { session { accessToken } userErrors { code } }
}"""


def call(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    api_key: str | None = None,
    token: str | None = None,
    channel: str | None = None,
    status: int = 200,
) -> dict[str, Any]:
    """POST an operation as a storefront or app does, with its credential and channel."""
    headers: dict[str, str] = {}
    if api_key is not None:
        headers["X-API-Key"] = api_key
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if channel is not None:
        headers["X-Commerce-Channel"] = channel
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclasses.dataclass(frozen=True)
class Ebook:
    product_id: str
    variant_id: str


@pytest.fixture
def ebook(services: Services) -> Ebook:
    """A 10.00 USD e-book (digital: no shipping, so the total is the merchandise)."""
    product = services.catalog.create_product(
        ProductDraft(
            title="The Left Hand of Darkness",
            published=True,
            variants=(
                VariantDraft(
                    sku="LHOD-EPUB", prices=(Money(1000, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    return Ebook(
        to_global_id("Product", product.id),
        to_global_id("ProductVariant", f"{product.id}.{product.variants[0].id}"),
    )


def channel_promotion(services: Services, name: str, percent: int, channel: Channel) -> str:
    """A percentage off everything, for one sales channel only; its global id."""
    created = services.promotions.create_promotion(
        Promotion(
            "",
            name,
            ItemsOff(Selector(), Decimal(percent)),
            Conditions(channels=frozenset({channel})),
        )
    )
    return to_global_id("Promotion", created.id)


@pytest.fixture
def app_only(services: Services) -> str:
    """20% off in the apps only."""
    return channel_promotion(services, "App week", 20, Channel.MOBILE)


def make_key(client: TestClient, admin_key: str, name: str, **fields: Any) -> dict[str, Any]:
    """apiKeyCreate's payload for a key that may read the catalog and check out."""
    variables = {"input": {"name": name, "scopes": ["STOREFRONT_READ", "CHECKOUT"], **fields}}
    body = call(client, KEY_CREATE, variables, api_key=admin_key)
    payload: dict[str, Any] = body["data"]["apiKeyCreate"]
    return payload


def app_key(client: TestClient, admin_key: str) -> str:
    payload = make_key(client, admin_key, "iOS and Android apps", channel="MOBILE")
    assert payload["userErrors"] == []
    assert payload["apiKey"]["channel"] == "MOBILE"
    secret: str = payload["secret"]
    return secret


def partner_key(client: TestClient, admin_key: str, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"name": "Bookish blog", "email": "blog@example.com"}}
    partner = call(client, PARTNER_CREATE, variables, api_key=admin_key)
    partner_id = partner["data"]["partnerCreate"]["partner"]["id"]
    return make_key(client, admin_key, "Blog shop", partnerId=partner_id, **fields)


def create_cart(client: TestClient, ebook: Ebook, **credentials: Any) -> dict[str, Any]:
    variables = {
        "input": {
            "currency": "USD",
            "lines": [{"merchandiseId": ebook.variant_id, "quantity": 1}],
            "buyerIdentity": {"email": "reader@example.com"},
        }
    }
    body = call(client, CART_CREATE, variables, **credentials)
    payload = body["data"]["cartCreate"]
    assert payload["userErrors"] == [], payload
    cart: dict[str, Any] = payload["cart"]
    return cart


def total(cart: dict[str, Any]) -> str:
    amount: str = cart["cost"]["totalAmount"]["amount"]
    return amount


def offered(client: TestClient, ebook: Ebook, **credentials: Any) -> list[str]:
    body = call(client, OFFERS, {"id": ebook.product_id}, **credentials)
    assert "errors" not in body, body
    return [o["promotionId"] for o in body["data"]["offers"]]


def stored_carts() -> int:
    """Cart items in the table (a test-only scan: the API never scans)."""
    return sum(1 for item in TableItem.scan() if item.pk.startswith("CART#"))


# -- the apps' key ---------------------------------------------------------------------


def test_the_apps_key_gets_the_app_only_discount_in_the_cart_and_the_order(
    client: TestClient, admin_key: str, ebook: Ebook, app_only: str
) -> None:
    # given the apps' storefront key
    key = app_key(client, admin_key)
    # when the app makes a cart and checks out with it
    cart = create_cart(client, ebook, api_key=key)
    body = call(
        client,
        CHECKOUT,
        {"input": {"cartId": cart["id"], "idempotencyKey": "app-checkout-1"}},
        api_key=key,
    )
    # then the cart showed the app's 20% and the order keeps it
    assert cart["cost"] == {"discountAmount": {"amount": "2.00"}, "totalAmount": {"amount": "8.00"}}
    assert cart["lines"][0]["discountAllocations"] == [
        {"promotionId": app_only, "amount": {"amount": "2.00"}}
    ]
    payload = body["data"]["checkoutComplete"]
    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["discountAmount"] == {"amount": "2.00"}
    assert order["total"] == {"amount": "8.00"}
    assert order["lines"][0]["discounts"] == [
        {"promotionId": app_only, "amount": {"amount": "2.00"}}
    ]


def test_the_app_only_discount_stays_out_of_the_web_shop(
    client: TestClient, admin_key: str, ebook: Ebook, app_only: str
) -> None:
    # given a storefront key made without a channel (WEB) and an anonymous shopper
    web = make_key(client, admin_key, "Web storefront")
    assert web["apiKey"]["channel"] == "WEB"
    # then neither gets the app's price nor sees the offer
    assert total(create_cart(client, ebook, api_key=web["secret"])) == "10.00"
    assert total(create_cart(client, ebook)) == "10.00"
    assert app_only not in offered(client, ebook)
    assert app_only not in offered(client, ebook, api_key=web["secret"])


def test_a_keys_channel_wins_over_the_header(
    client: TestClient, admin_key: str, ebook: Ebook, app_only: str
) -> None:
    web = make_key(client, admin_key, "Web storefront")["secret"]
    assert total(create_cart(client, ebook, api_key=web, channel="MOBILE")) == "10.00"
    assert total(create_cart(client, ebook, api_key=app_key(client, admin_key))) == "8.00"


# -- the header ------------------------------------------------------------------------


def test_an_anonymous_shopper_in_the_app_says_so_with_the_header_in_any_case(
    client: TestClient, ebook: Ebook, app_only: str
) -> None:
    assert total(create_cart(client, ebook, channel="mobile")) == "8.00"
    assert total(create_cart(client, ebook, channel="MOBILE")) == "8.00"
    assert total(create_cart(client, ebook, channel="Web")) == "10.00"


def test_a_signed_in_customer_in_the_app_gets_the_app_price_and_offers(
    client: TestClient, ebook: Ebook, app_only: str
) -> None:
    # given a customer signed in from the app
    variables = {"input": {"email": "app.reader@example.com", "password": "a long passphrase"}}
    signed_up = call(client, SIGN_UP, variables)["data"]["customerSignUp"]
    assert signed_up["userErrors"] == []
    token = signed_up["session"]["accessToken"]
    # when they shop with the header, and without it
    in_app = create_cart(client, ebook, token=token, channel="MOBILE")
    on_web = create_cart(client, ebook, token=token)
    # then
    assert total(in_app) == "8.00"
    assert total(on_web) == "10.00"
    assert app_only in offered(client, ebook, token=token, channel="MOBILE")
    assert app_only not in offered(client, ebook, token=token)
    # and their account's cart (the last one made) shows the price of the channel asking
    for channel, amount in (("MOBILE", "8.00"), (None, "10.00")):
        mine = call(client, MY_CART, token=token, channel=channel)["data"]["customer"]["cart"]
        assert mine["id"] == on_web["id"]
        assert total(mine) == amount


def test_product_offers_are_priced_for_the_callers_channel(
    client: TestClient, admin_key: str, ebook: Ebook, app_only: str
) -> None:
    body = call(client, OFFERS, {"id": ebook.product_id}, channel="MOBILE")
    assert body["data"]["offers"] == [{"promotionId": app_only, "saving": {"amount": "2.00"}}]
    assert app_only in offered(client, ebook, api_key=app_key(client, admin_key))
    assert offered(client, ebook) == []


@pytest.mark.parametrize("value", ["PARTNER_API", "partner_api", "TABLET", ""])
def test_a_header_naming_no_shopper_channel_is_refused_and_nothing_is_written(
    client: TestClient, ebook: Ebook, value: str
) -> None:
    # when a cart is created with a channel no shopper may claim
    variables = {"input": {"lines": [{"merchandiseId": ebook.variant_id, "quantity": 1}]}}
    body = call(client, CART_CREATE, variables, channel=value, status=400)
    # then the request is refused before anything runs
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_CHANNEL"
    assert error["message"].startswith("X-Commerce-Channel must be WEB or MOBILE")
    assert "data" not in body
    assert stored_carts() == 0
    # while the same request without it makes its cart
    call(client, CART_CREATE, variables)
    assert stored_carts() == 1


# -- partners --------------------------------------------------------------------------


def test_a_partner_prices_as_partner_api_whatever_its_header_says(
    client: TestClient, admin_key: str, services: Services, ebook: Ebook, app_only: str
) -> None:
    # given a promotion for partners' orders, and a partner's key
    partners_only = channel_promotion(services, "Partner deal", 5, Channel.PARTNER_API)
    payload = partner_key(client, admin_key)
    assert payload["userErrors"] == []
    assert payload["apiKey"]["channel"] == "PARTNER_API"
    # when the partner claims the app channel by header
    cart = create_cart(client, ebook, api_key=payload["secret"], channel="MOBILE")
    # then it gets the partners' price, not the app's
    assert cart["lines"][0]["discountAllocations"] == [
        {"promotionId": partners_only, "amount": {"amount": "0.50"}}
    ]
    # and nobody else can get it, by header or by key
    assert total(create_cart(client, ebook)) == "10.00"
    call(client, CART_CREATE, {"input": {}}, channel="PARTNER_API", status=400)


def test_a_partners_key_cannot_take_another_channel_nor_another_key_partner_api(
    client: TestClient, admin_key: str
) -> None:
    # when
    partner_mobile = partner_key(client, admin_key, channel="MOBILE")
    staff_partner = make_key(client, admin_key, "Sneaky", channel="PARTNER_API")
    # then both are refused at the channel, and no key was made
    for payload in (partner_mobile, staff_partner):
        assert payload["apiKey"] is None
        assert payload["secret"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("CHANNEL_NOT_ALLOWED", ["channel"])
        ]
    listed = call(client, KEYS, api_key=admin_key)["data"]["apiKeys"]
    assert [k["name"] for k in listed] == ["test admin"]


# -- key listings ----------------------------------------------------------------------


def test_api_keys_list_their_channel_and_keys_stored_before_channels_keep_their_price(
    client: TestClient, admin_key: str
) -> None:
    # given keys for the apps, a partner, the web, and two stored before keys had channels
    app = make_key(client, admin_key, "Apps", channel="MOBILE")["apiKey"]["prefix"]
    partner = partner_key(client, admin_key)["apiKey"]["prefix"]
    old_web = make_key(client, admin_key, "Old web")["apiKey"]["prefix"]
    old_partner = partner_key(client, admin_key)["apiKey"]["prefix"]
    for prefix in (old_web, old_partner):
        item = access_store.ApiKeyItem(pk=access_store.api_key_pk(prefix), sk="APIKEY")
        item.update(actions=[access_store.ApiKeyItem.channel.remove()])
    # when
    listed = call(client, KEYS, api_key=admin_key)["data"]["apiKeys"]
    # then
    channels = {k["prefix"]: k["channel"] for k in listed}
    assert channels[app] == "MOBILE"
    assert channels[partner] == "PARTNER_API"
    assert channels[old_web] == "WEB"
    assert channels[old_partner] == "PARTNER_API"


# -- browsers --------------------------------------------------------------------------


def test_browsers_may_send_the_channel_header_from_an_allowed_origin(services: Services) -> None:
    settings = dataclasses.replace(services.settings, cors_origins=(SHOP,))
    with TestClient(create_app(dataclasses.replace(services, settings=settings))) as browser:
        response = browser.options(
            "/graphql",
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-commerce-channel",
            },
        )
    assert response.status_code == 200
    assert "x-commerce-channel" in response.headers["access-control-allow-headers"].lower()
