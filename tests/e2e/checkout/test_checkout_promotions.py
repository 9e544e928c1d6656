"""Checkout buys the cart at its promoted price, counts code uses, gives them back on cancel."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from checkout_helpers import (
    CART_CREATE,
    Clock,
    RecordingGateway,
    available,
    checkout,
    codes,
    payload_of,
    ready_cart,
    shipping_to_us,
    staff_orders,
    variant,
)

from commerce.cart.commands import (
    CreateCart,
    SelectDeliveryOption,
    UpdateDiscountCodes,
    UpdateShippingAddress,
)
from commerce.cart.model import MAX_CODES, MAX_LINES, Address, BuyerIdentity, LineRequest
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.composition import Services
from commerce.graphql.ids import to_global_id
from commerce.money import Currency, Money
from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    Conditions,
    ItemsOff,
    Promotion,
    Selector,
)
from commerce.principals import Shopper

if TYPE_CHECKING:
    from conftest import GraphQLCaller

CODES_UPDATE = """
mutation ($input: CartDiscountCodesUpdateInput!) {
  cartDiscountCodesUpdate(input: $input) {
    cart { discountCodes { code applicable reason } cost { totalAmount { amount } } }
    userErrors { code }
  }
}"""
CHECKOUT_DISCOUNTS = """
mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order {
      id subtotal { amount } discountAmount { amount } shipping { amount } total { amount }
      discountCodes
      lines { sku total { amount } discounts { title amount { amount } promotionId code } }
    }
    userErrors { field code message }
  }
}"""
CANCEL = """
mutation ($input: OrderCancelInput!) {
  orderCancel(input: $input) { order { status } userErrors { code } }
}"""


def _local(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().split(":")[1]


@pytest.fixture
def books(gql: GraphQLCaller, admin_key: str) -> list[str]:
    """Three books at 10.00, 12.00 and 14.00 (10 in stock each), shipped to the US for 5.00."""
    shipping_to_us(gql, admin_key)
    return [variant(gql, admin_key, price=price) for price in ("10.00", "12.00", "14.00")]


@pytest.fixture
def code(services: Services) -> str:
    """THREE4TWO: buy 2 books, the third (the cheapest) free; one use in all."""
    promotion = services.promotions.create_promotion(
        Promotion(
            "",
            "Three for two",
            BuyXGetY(Selector(), buy=2, get=1, noun="book"),
            Conditions(requires_code=True),
        )
    )
    services.promotions.create_code(promotion.id, "THREE4TWO", usage_limit=1)
    return promotion.id


def with_code(gql: GraphQLCaller, cart_id: str, text: str = "three4two") -> dict[str, Any]:
    payload = payload_of(gql(CODES_UPDATE, {"input": {"cartId": cart_id, "discountCodes": [text]}}))
    assert payload["userErrors"] == [], payload
    cart: dict[str, Any] = payload["cart"]
    return cart


def buy(gql: GraphQLCaller, cart_id: str, key: str) -> dict[str, Any]:
    return payload_of(
        gql(CHECKOUT_DISCOUNTS, {"input": {"cartId": cart_id, "idempotencyKey": key}})
    )


def times_used(services: Services, promotion_id: str) -> int:
    [found] = services.promotions.codes(promotion_id)
    return found.times_used


def test_checkout_charges_the_discounted_total_and_snapshots_the_discounts(
    gql: GraphQLCaller, services: Services, books: list[str], code: str, gateway: RecordingGateway
) -> None:
    cart_id = ready_cart(gql, *((b, 1) for b in books))
    assert with_code(gql, cart_id)["cost"]["totalAmount"] == {"amount": "31.00"}

    payload = buy(gql, cart_id, "promo-1")

    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["subtotal"] == {"amount": "36.00"}
    assert order["discountAmount"] == {"amount": "10.00"}
    assert order["shipping"] == {"amount": "5.00"}
    assert order["total"] == {"amount": "31.00"}
    assert order["discountCodes"] == ["THREE4TWO"]
    discounted = [line for line in order["lines"] if line["discounts"]]
    assert len(discounted) == 1
    [line] = discounted
    assert line["total"] == {"amount": "0.00"}
    [discount] = line["discounts"]
    assert discount["amount"] == {"amount": "10.00"}
    assert discount["code"] == "THREE4TWO"
    assert _local(discount["promotionId"]) == code
    assert discount["title"]
    # The PaymentIntent is for the discounted total.
    [intent] = [args for name, args in gateway.calls if name == "create_intent"]
    assert intent["amount"] == Money(3100, Currency.USD)
    # The code's one use is taken.
    assert times_used(services, code) == 1


def test_a_code_used_up_before_checkout_stops_it_and_nothing_is_written(
    gql: GraphQLCaller, services: Services, admin_key: str, books: list[str], code: str
) -> None:
    cart_id = ready_cart(gql, *((b, 1) for b in books))
    assert with_code(gql, cart_id)["discountCodes"][0]["applicable"] is True
    services.promotions.use_codes("another-order", None, ["THREE4TWO"])  # meanwhile

    payload = buy(gql, cart_id, "promo-2")

    assert payload["order"] is None
    assert codes(payload) == ["DISCOUNT_CODE_USED_UP"]
    assert payload["userErrors"][0]["field"] == ["discountCodes"]
    assert "THREE4TWO" in payload["userErrors"][0]["message"]
    assert [available(gql, admin_key, b) for b in books] == [10, 10, 10]
    assert staff_orders(gql, admin_key)["nodes"] == []
    # The cart is still there: without the code it checks out at full price.
    cart = payload_of(gql(CODES_UPDATE, {"input": {"cartId": cart_id, "discountCodes": []}}))[
        "cart"
    ]
    assert cart["cost"]["totalAmount"] == {"amount": "41.00"}
    assert checkout(gql, cart_id, "promo-3")["userErrors"] == []
    assert times_used(services, code) == 1


def test_cancelling_the_order_gives_the_code_back_once(
    gql: GraphQLCaller, services: Services, admin_key: str, books: list[str], code: str
) -> None:
    cart_id = ready_cart(gql, *((b, 1) for b in books))
    with_code(gql, cart_id)
    order_id = buy(gql, cart_id, "promo-4")["order"]["id"]
    assert times_used(services, code) == 1

    cancel = {"input": {"id": order_id, "reason": "changed my mind"}}
    first = payload_of(gql(CANCEL, cancel, api_key=admin_key))
    again = payload_of(gql(CANCEL, cancel, api_key=admin_key))

    assert first["order"]["status"] == "CANCELLED"
    assert again["order"] is None or again["order"]["status"] == "CANCELLED"
    assert times_used(services, code) == 0
    # Given back, the code works for the next shopper.
    other = ready_cart(gql, *((b, 1) for b in books))
    assert with_code(gql, other)["discountCodes"][0]["applicable"] is True
    assert buy(gql, other, "promo-5")["userErrors"] == []
    assert times_used(services, code) == 1


def test_an_expired_order_gives_the_code_back(
    gql: GraphQLCaller, services: Services, books: list[str], code: str, clock: Clock
) -> None:
    cart_id = ready_cart(gql, *((b, 1) for b in books))
    with_code(gql, cart_id)
    assert buy(gql, cart_id, "promo-6")["userErrors"] == []

    clock.advance(services.settings.reservation_seconds + 1)
    assert services.orders.release_expired_reservations(clock.now) == 1
    assert services.orders.release_expired_reservations(clock.now) == 0

    assert times_used(services, code) == 0


def test_a_code_used_up_while_checking_out_fails_the_whole_transaction(
    gql: GraphQLCaller,
    services: Services,
    admin_key: str,
    *,
    books: list[str],
    code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cart_id = ready_cart(gql, *((b, 1) for b in books))
    with_code(gql, cart_id)
    priced_then = services.cart.for_checkout

    def priced_then_used_elsewhere(*args: Any, **kwargs: Any) -> Any:
        found = priced_then(*args, **kwargs)  # the code still applies here
        services.promotions.use_codes("racing-order", None, ["THREE4TWO"])
        return found

    monkeypatch.setattr(services.cart, "for_checkout", priced_then_used_elsewhere)

    payload = buy(gql, cart_id, "promo-7")

    assert payload["order"] is None
    assert codes(payload) == ["DISCOUNT_CODE_USED_UP"]
    assert [available(gql, admin_key, b) for b in books] == [10, 10, 10]
    assert staff_orders(gql, admin_key)["nodes"] == []
    assert times_used(services, code) == 1  # the racing order's use only


BUNDLE_ADD = """
mutation ($input: CartBundleAddInput!) {
  cartBundleAdd(input: $input) {
    cart { lines { quantity merchandise { id } } cost { discountAmount { amount } } }
    userErrors { field code }
  }
}"""


def _product_of(variant_id: str) -> str:
    return _local(variant_id).split(".")[0]


def test_a_bundle_and_a_single_copy_of_its_component_never_oversell(
    gql: GraphQLCaller, services: Services, admin_key: str
) -> None:
    shipping_to_us(gql, admin_key)
    scarce = variant(gql, admin_key, stock=1, price="10.00")
    plenty = variant(gql, admin_key, price="12.00")
    bundle = services.promotions.create_promotion(
        Promotion(
            "",
            "Reading pair",
            Bundle(
                (
                    BundleComponent(Selector(product_ids=frozenset({_product_of(scarce)}))),
                    BundleComponent(Selector(product_ids=frozenset({_product_of(plenty)}))),
                ),
                price=1800,
            ),
            currency=Currency.USD,
        )
    )
    cart_id = ready_cart(gql, (scarce, 1))

    added = payload_of(
        gql(
            BUNDLE_ADD,
            {"input": {"cartId": cart_id, "promotionId": to_global_id("Promotion", bundle.id)}},
        )
    )

    assert added["userErrors"] == []
    lines = {line["merchandise"]["id"]: line["quantity"] for line in added["cart"]["lines"]}
    assert lines == {scarce: 2, plenty: 1}
    assert added["cart"]["cost"]["discountAmount"] == {"amount": "4.00"}
    # Two of the scarce book in one cart, one in stock: checkout sums them and refuses.
    payload = checkout(gql, cart_id, "bundle-1")
    assert codes(payload) == ["OUT_OF_STOCK"]
    assert available(gql, admin_key, scarce) == 1


def test_only_a_bundle_of_named_products_can_be_added(
    gql: GraphQLCaller, services: Services, code: str
) -> None:
    cart_id = payload_of(gql(CART_CREATE, {"input": {}}))["cart"]["id"]

    def add(promotion_id: str) -> list[str]:
        variables = {"input": {"cartId": cart_id, "promotionId": promotion_id}}
        return codes(payload_of(gql(BUNDLE_ADD, variables)))

    assert add(to_global_id("Promotion", code)) == ["NOT_A_BUNDLE"]
    assert add(to_global_id("Promotion", "01" + "0" * 24)) == ["PROMOTION_NOT_FOUND"]
    assert add("nonsense") == ["INVALID_ID"]


def test_the_largest_cart_with_the_most_codes_fits_one_transaction(
    gql: GraphQLCaller, services: Services, admin_key: str
) -> None:
    # A customer's cart: 3 items per code (the use, the code's count, their own count).
    shipping_to_us(gql, admin_key)
    wanted = []
    for number in range(MAX_LINES):
        product = services.catalog.create_product(
            ProductDraft(
                title=f"Tome {number}",
                published=True,
                variants=(
                    VariantDraft(
                        sku=f"TOME-{number}", prices=(Money(1000, Currency.USD),), initial_stock=3
                    ),
                ),
            )
        )
        wanted.append(LineRequest(product.id, product.variants[0].id, 1))
    texts = []
    for number in range(MAX_CODES):
        promotion = services.promotions.create_promotion(
            Promotion(
                "",
                f"One percent {number}",
                ItemsOff(Selector(), percent=Decimal(1)),
                Conditions(requires_code=True),
            )
        )
        services.promotions.create_code(promotion.id, f"PCT{number}", per_customer_limit=1)
        texts.append(f"PCT{number}")
    carts = services.cart
    cart = carts.create(
        CreateCart(lines=wanted, buyer_identity=BuyerIdentity(email="max@example.com")),
        Shopper("c-max"),
    ).cart
    carts.update_discount_codes(UpdateDiscountCodes(cart.id, texts))
    priced = carts.update_shipping_address(
        UpdateShippingAddress(
            cart.id, Address("Ada", "Max", "1 Main St", "", "Springfield", "", "", "US")
        )
    )
    option = priced.totals.delivery_options[0].id
    priced = carts.select_delivery_option(SelectDeliveryOption(cart.id, option))
    assert len(priced.applied_codes()) == MAX_CODES

    result = services.checkout.complete(cart.id, "max-cart", Shopper("c-max"))

    assert result.order.discount_codes == tuple(texts)
    assert len(result.order.lines) == MAX_LINES
