"""The demo store shows the product: zones, tax, every offer, and accounts to sign in with."""

from __future__ import annotations

from typing import Any

from commerce.demo_store import (
    ADMIN_KEY_NAME,
    CUSTOMER_EMAIL,
    CUSTOMER_PASSWORD,
    PARTNER_KEY_NAME,
    WELCOME_CODE,
    seed_demo_store,
)
from conftest import DemoShop

PROMOTIONS = """{
  promotions { name kind }
  shippingZones { name countries rates { title } }
  taxRates { countryCode regionCode rate }
}"""
VARIANTS = "{ products(first: 50) { nodes { variants { id sku } } } }"
CART_FIELDS = """
  id
  lines { merchandise { sku } discountAllocations { promotionId explanation } }
  orderDiscounts { promotionId explanation }
  shippingDiscount { promotionId explanation }
  nearMisses { kind message itemsMissing }
  deliveryOptions { id title price { amount } }
  discountCodes { code applicable }
  cost { subtotalAmount { amount } totalDiscountAmount { amount } totalTaxAmount { amount }
         shippingAmount { amount } totalAmount { amount } }
"""
CART_CREATE = f"""
mutation ($input: CartCreateInput!) {{
  cartCreate(input: $input) {{ cart {{ {CART_FIELDS} }} userErrors {{ field code message }} }}
}}"""
ADDRESS = f"""
mutation ($input: CartShippingAddressUpdateInput!) {{
  cartShippingAddressUpdate(input: $input) {{ cart {{ {CART_FIELDS} }} userErrors {{ code }} }}
}}"""
SELECT = f"""
mutation ($input: CartDeliveryOptionSelectInput!) {{
  cartDeliveryOptionSelect(input: $input) {{ cart {{ {CART_FIELDS} }} userErrors {{ code }} }}
}}"""
CODES = f"""
mutation ($input: CartDiscountCodesUpdateInput!) {{
  cartDiscountCodesUpdate(input: $input) {{ cart {{ {CART_FIELDS} }} userErrors {{ code }} }}
}}"""
NAMES = "{ promotions { id name } }"


def variant_ids(shop: DemoShop) -> dict[str, str]:
    nodes = shop.data(VARIANTS)["products"]["nodes"]
    return {v["sku"]: v["id"] for product in nodes for v in product["variants"]}


def applied_names(shop: DemoShop, cart: dict[str, Any]) -> set[str]:
    names = {p["id"]: p["name"] for p in shop.data(NAMES, {}, **admin(shop))["promotions"]}
    allocations = [a for line in cart["lines"] for a in line["discountAllocations"]]
    allocations += cart["orderDiscounts"]
    if cart["shippingDiscount"] is not None:
        allocations.append(cart["shippingDiscount"])
    return {names[a["promotionId"]] for a in allocations}


def admin(shop: DemoShop) -> dict[str, str]:
    return {"X-API-Key": shop.report.keys[ADMIN_KEY_NAME]}


def payload(body: dict[str, Any]) -> dict[str, Any]:
    (result,) = body.values()
    assert result["userErrors"] == [], result
    cart: dict[str, Any] = result["cart"]
    return cart


def test_zones_rates_and_offers_are_there_for_staff_to_see(demo_shop: DemoShop) -> None:
    data = demo_shop.data(PROMOTIONS, **admin(demo_shop))

    zones = {zone["name"]: zone for zone in data["shippingZones"]}
    assert set(zones) == {"Domestic", "European Union", "Rest of world"}
    assert zones["Domestic"]["countries"] == ["US"]
    assert "DE" in zones["European Union"]["countries"]
    assert {"GB", "JP", "CA"} <= set(zones["Rest of world"]["countries"])
    assert {"countryCode": "DE", "regionCode": None, "rate": "7"} in data["taxRates"]
    kinds = {p["kind"] for p in data["promotions"]}
    assert {"BUY_X_GET_Y", "SERIES_SET", "BUNDLE", "FREE_SHIPPING", "ORDER_OFF"} <= kinds


def test_seeding_again_makes_nothing_new_and_keeps_the_keys(demo_shop: DemoShop) -> None:
    before = demo_shop.data(PROMOTIONS, **admin(demo_shop))

    again = seed_demo_store(demo_shop.services, accounts=True, held_keys=demo_shop.report.keys)

    assert (again.catalog, again.zones, again.tax_rates, again.promotions) == (None, 0, 0, 0)
    assert again.customer_created is False
    assert again.keys == demo_shop.report.keys
    assert demo_shop.data(PROMOTIONS, **admin(demo_shop)) == before


def test_a_lost_key_is_replaced_by_a_new_one(demo_shop: DemoShop) -> None:
    held = {**demo_shop.report.keys, PARTNER_KEY_NAME: "ck_not_a_key"}

    again = seed_demo_store(demo_shop.services, accounts=True, held_keys=held)

    assert again.keys[ADMIN_KEY_NAME] == demo_shop.report.keys[ADMIN_KEY_NAME]
    assert again.keys[PARTNER_KEY_NAME] not in (
        "ck_not_a_key",
        demo_shop.report.keys[PARTNER_KEY_NAME],
    )
    partner = demo_shop.data("{ partner { name } }", **{"X-API-Key": again.keys[PARTNER_KEY_NAME]})
    assert partner == {"partner": {"name": "Bookish Blog"}}


def test_the_demo_customer_logs_in_with_the_printed_password(demo_shop: DemoShop) -> None:
    data = demo_shop.data(
        """mutation ($input: CustomerLogInInput!) {
             customerLogIn(input: $input) { customer { email } userErrors { code } } }""",
        {"input": {"email": CUSTOMER_EMAIL, "password": CUSTOMER_PASSWORD}},
    )

    assert data["customerLogIn"] == {"customer": {"email": CUSTOMER_EMAIL}, "userErrors": []}


def test_a_cart_hears_its_near_misses_then_earns_every_offer(demo_shop: DemoShop) -> None:
    ids = variant_ids(demo_shop)
    # Three of the four Tidewater e-books and three Staff Picks e-books: one short of each.
    start = ["TWS-1-EB", "TWS-2-EB", "TWS-3-EB", "CSH-EB", "SLT-EB", "BRD-EB"]
    cart = payload(
        demo_shop.data(
            CART_CREATE,
            {
                "input": {
                    "lines": [{"merchandiseId": ids[sku]} for sku in start],
                    "buyerIdentity": {"email": "shopper@example.com"},
                }
            },
        )
    )
    hints = {(m["kind"], m["itemsMissing"]) for m in cart["nearMisses"]}
    assert ("COMPLETE_SET", 1) in hints
    assert ("ADD_ITEMS", 1) in hints

    more = ["TWS-4-EB", "LSM-2-EB", "EMB-1-HC", "EMB-1-AB"]
    added = demo_shop.data(
        """mutation ($input: CartLinesAddInput!) {
             cartLinesAdd(input: $input) { cart { id } userErrors { code } } }""",
        {"input": {"cartId": cart["id"], "lines": [{"merchandiseId": ids[s]} for s in more]}},
    )
    assert added["cartLinesAdd"]["userErrors"] == []
    address = {"address1": "1 Main St", "city": "Sacramento", "province": "CA", "countryCode": "US"}
    cart = payload(demo_shop.data(ADDRESS, {"input": {"cartId": cart["id"], "address": address}}))
    standard = next(o for o in cart["deliveryOptions"] if o["title"].startswith("Standard"))
    cart = payload(
        demo_shop.data(
            SELECT, {"input": {"cartId": cart["id"], "deliveryOptionId": standard["id"]}}
        )
    )
    cart = payload(
        demo_shop.data(CODES, {"input": {"cartId": cart["id"], "discountCodes": [WELCOME_CODE]}})
    )

    assert applied_names(demo_shop, cart) == {
        "Staff Picks: buy 3, get the 4th free",
        "15% off the complete Tidewater Station",
        "The Ash-Born Queen: hardcover and audiobook together",
        "Free shipping on orders over $50",
        "Welcome: 10% off with WELCOME10",
    }
    assert cart["discountCodes"] == [{"code": WELCOME_CODE, "applicable": True}]
    assert cart["cost"]["shippingAmount"] == {"amount": "4.99"}
    assert cart["cost"]["totalTaxAmount"] != {"amount": "0.00"}
