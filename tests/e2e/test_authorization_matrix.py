"""Who may call what: every root field of the schema, for every kind of caller.

One row per root Query and Mutation field says what each kind of principal gets:
``A`` allowed (the field runs: no UNAUTHENTICATED or FORBIDDEN, and never an internal
error), ``U`` UNAUTHENTICATED, ``F`` FORBIDDEN, ``N`` null for something that is not
theirs (no error either, so nothing is revealed). A field the table does not name fails
``test_every_root_field_has_a_rule`` with its name: a new field cannot ship without a
decision on who may call it.

Rows without a document are called with made-up arguments built from the schema
(enough to pass validation; resolvers may refuse them as bad input, which still proves
the permission gate let the caller through, or stopped it, with the exact code).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.composition import Services
from commerce.schema import build_schema


class Outcome(enum.Enum):
    ALLOWED = "A"
    UNAUTHENTICATED = "U"
    FORBIDDEN = "F"
    NULL = "N"


A, U, F, N = Outcome.ALLOWED, Outcome.UNAUTHENTICATED, Outcome.FORBIDDEN, Outcome.NULL
PRINCIPALS = ("anonymous", "customer", "other_customer", "partner", "storefront_key", "admin_key")


@dataclass(frozen=True)
class Rule:
    """What each kind of caller gets from one root field."""

    anonymous: Outcome
    customer: Outcome
    other_customer: Outcome
    partner: Outcome
    storefront_key: Outcome
    admin_key: Outcome
    # A document of its own (``$CUSTOMER_CART`` in variables is the customer's cart id).
    document: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)

    def expected(self, principal: str) -> Outcome:
        outcome: Outcome = getattr(self, principal)
        return outcome

    def called(self, document: str, **variables: Any) -> Rule:
        """The same rule with its own document."""
        return Rule(
            self.anonymous,
            self.customer,
            self.other_customer,
            self.partner,
            self.storefront_key,
            self.admin_key,
            document,
            variables,
        )


#                anon customer other  partner  shopkey  admin
PUBLIC = Rule(A, A, A, A, A, A)
# Carts and checkout need the checkout scope, which a partner's reporting key lacks.
CHECKOUT = Rule(A, A, A, F, A, A)
ADMIN = Rule(U, F, F, F, F, A)
CUSTOMER = Rule(U, A, A, F, F, F)
PARTNER = Rule(U, F, F, A, F, F)
# Webhooks: staff manage every endpoint, a partner's key its own (the service's rule).
STAFF_OR_PARTNER = Rule(U, F, F, A, F, A)

QUERIES: dict[str, Rule] = {
    "apiKeys": ADMIN,
    # The customer's own cart by id: theirs alone; everyone else sees null, as if unknown.
    # Staff only; a made-up id is refused as bad input, after the permission check.
    "catalogImport": ADMIN,
    "cart": Rule(N, A, N, F, N, N).called(
        "query ($id: ID!) { cart(id: $id) { id } }", id="$CUSTOMER_CART"
    ),
    "collection": PUBLIC,
    "collections": PUBLIC,
    "customer": CUSTOMER,
    # Staff only; the made-up id names no customer, so staff get null.
    "customerMarketing": Rule(U, F, F, F, F, N),
    "customerSegments": ADMIN,
    "inventoryLevel": ADMIN,
    "node": PUBLIC,
    "nodes": PUBLIC,
    # A customer's order by id is theirs (orders/ owns the rule; unknown ids are null).
    "order": PUBLIC,
    "orders": ADMIN,
    "partner": PARTNER,
    "partners": ADMIN,
    "pricesIncludeTax": PUBLIC,
    "product": PUBLIC,
    "products": PUBLIC,
    # The caller's own list (a customer's from their token; others get best sellers).
    "recommendations": PUBLIC,
    "shippingZones": ADMIN,
    "taxRates": ADMIN,
    "promotions": ADMIN,
    "offers": PUBLIC,
    # Staff only; the made-up id names no promotion, so staff get null.
    "promotion": Rule(U, F, F, F, F, N),
    "discountCodes": ADMIN,
    "customerJourney": ADMIN,
    "attributionReport": ADMIN,
    "attributionReportCsv": ADMIN,
    "salesReport": ADMIN,
    "salesReportCsv": ADMIN,
    "bestSellers": ADMIN,
    "bestSellersCsv": ADMIN,
    "marginReport": ADMIN,
    "marginReportCsv": ADMIN,
    "stockReport": ADMIN,
    "stockReportCsv": ADMIN,
    "stockLevels": ADMIN,
    "priceHistory": ADMIN,
    "priceHistoryCsv": ADMIN,
    "affiliateCohortReport": ADMIN,
    "affiliateCohortReportCsv": ADMIN,
    "orderAttribution": ADMIN,
    # The calling partner's own program (its id comes from its key, never an argument).
    "partnerPortal": PARTNER.called(
        "{ partnerPortal { trackingLink balances { currencyCode } commissions { id } "
        "payouts { id } referredCustomers { pseudonym } "
        "productFeed(currency: USD, first: 1) { hasNextPage } "
        'monthlyVolume(month: "2026-12", currencyCode: USD) { amount } '
        'clicks(fromDay: "2026-12-01", toDay: "2026-12-07") { day clicks } '
        "commissionsConnection(first: 1) { nodes { id } pageInfo { hasNextPage } } "
        "payoutsConnection(first: 1) { edges { cursor } } "
        "referredCustomersConnection(first: 1) { nodes { pseudonym } } } }"
    ),
    "affiliatePortal": ADMIN,
    "commissionRule": ADMIN,
    "affiliateProgram": ADMIN,
    "affiliateBinding": ADMIN,
    "affiliatePayout": ADMIN,
    "affiliatePayoutCsv": ADMIN,
    "webhookEndpoints": STAFF_OR_PARTNER,
    # An endpoint that is not the caller's gives null (tests/e2e/webhooks).
    "webhookDeliveries": STAFF_OR_PARTNER,
    "recoverySettings": ADMIN,
    "recoveryResults": ADMIN,
    # The signed-in customer's own devices and preferences.
    "pushDevices": CUSTOMER,
    "messagingPreferences": CUSTOMER,
    # Staff only; a customer reads their own points through customer { loyalty }.
    "loyaltySettings": ADMIN,
    # Staff only; the made-up id names no customer, so staff get null.
    "loyaltyAccount": Rule(U, F, F, F, F, N),
    # Reviews by moderation state, and buyers' order feedback: staff only.
    "reviews": ADMIN,
    "orderFeedback": ADMIN,
}

MUTATIONS: dict[str, Rule] = {
    # Storefront events and visitors: every caller (a partner's app records PARTNER_API).
    "eventsRecord": PUBLIC,
    "visitorStart": PUBLIC,
    "visitorConsentSet": PUBLIC,
    "visitorIdentify": CUSTOMER,
    "recoverySettingsUpdate": ADMIN,
    "pushDeviceRegister": CUSTOMER,
    "pushDeviceUnregister": CUSTOMER,
    "messagingPreferencesSet": CUSTOMER,
    # The link's signature is the capability: no log-in (a made-up token is refused).
    "recoveryOptOut": PUBLIC,
    "customerJourneyErase": ADMIN,
    "adSpendImport": ADMIN,
    "attributionRecredit": ADMIN,
    "commissionRuleSet": ADMIN,
    "affiliateProgramSet": ADMIN,
    "affiliateBindingChange": ADMIN,
    "affiliatePayoutCreate": ADMIN,
    "affiliatePayoutMarkPaid": ADMIN,
    "apiKeyCreate": ADMIN,
    "apiKeyRevoke": ADMIN,
    "cartBundleAdd": CHECKOUT,
    "cartBuyerIdentityUpdate": CHECKOUT,
    "cartCreate": CHECKOUT,
    "cartCurrencyUpdate": CHECKOUT,
    "cartDeliveryOptionSelect": CHECKOUT,
    "cartDiscountCodesUpdate": CHECKOUT,
    # A signed-in customer's own cart only (another's is CART_NOT_FOUND, a user error).
    "cartLoyaltyPointsApply": CUSTOMER,
    "loyaltySettingsUpdate": ADMIN,
    "loyaltyPointsAdjust": ADMIN,
    # A customer applies a friend's code to their own account only.
    "loyaltyReferralApply": CUSTOMER,
    "cartLinesAdd": CHECKOUT,
    "cartLinesRemove": CHECKOUT,
    "cartLinesUpdate": CHECKOUT,
    "cartShippingAddressUpdate": CHECKOUT,
    "checkoutComplete": CHECKOUT,
    "collectionAddProducts": ADMIN,
    "collectionCreate": ADMIN,
    "collectionDelete": ADMIN,
    "collectionRemoveProducts": ADMIN,
    "collectionUpdate": ADMIN,
    "customerAddressCreate": CUSTOMER,
    "customerAddressDelete": CUSTOMER,
    "customerAddressUpdate": CUSTOMER,
    # How a customer gets credentials: open to every caller.
    "customerLogIn": PUBLIC,
    "customerLogOut": PUBLIC,
    "customerPasswordChange": CUSTOMER,
    "customerPasswordReset": PUBLIC,
    "customerPasswordResetRequest": PUBLIC,
    "customerSignUp": PUBLIC,
    "customerTagsUpdate": ADMIN,
    "customerSegmentCreate": ADMIN,
    "customerSegmentUpdate": ADMIN,
    "customerSegmentDelete": ADMIN,
    "customerTokenRefresh": PUBLIC,
    "customerUpdate": CUSTOMER,
    "inventoryAdjust": ADMIN,
    "inventorySet": ADMIN,
    "catalogImportStart": ADMIN,
    "orderCancel": ADMIN,
    "orderFulfill": ADMIN,
    "orderRefund": ADMIN,
    "partnerCreate": ADMIN,
    "productCreate": ADMIN,
    "productDelete": ADMIN,
    "productPublish": ADMIN,
    "productUnpublish": ADMIN,
    "productUpdate": ADMIN,
    "productVariantCreate": ADMIN,
    "productVariantDelete": ADMIN,
    "productVariantPricesSet": ADMIN,
    "productVariantUpdate": ADMIN,
    "shippingRateCreate": ADMIN,
    "shippingRateDelete": ADMIN,
    "shippingRateUpdate": ADMIN,
    "shippingZoneCreate": ADMIN,
    "promotionCreate": ADMIN,
    "promotionUpdate": ADMIN,
    "promotionDelete": ADMIN,
    "discountCodeCreate": ADMIN,
    "discountCodesGenerate": ADMIN,
    "shippingZoneDelete": ADMIN,
    "shippingZoneUpdate": ADMIN,
    "taxRateDelete": ADMIN,
    "taxRateSet": ADMIN,
    "webhookEndpointCreate": STAFF_OR_PARTNER,
    "webhookEndpointUpdate": STAFF_OR_PARTNER,
    "webhookEndpointSecretRotate": STAFF_OR_PARTNER,
    "webhookEndpointDelete": STAFF_OR_PARTNER,
    "webhookEndpointTest": STAFF_OR_PARTNER,
    "webhookDeliveryReplay": STAFF_OR_PARTNER,
    # Reviews are written, changed and deleted by their customer; moderated and answered
    # by staff; helpful votes come from any shopper (customer or visitor token), and order
    # feedback from the order's owner (bearer token or a guest's access token).
    "reviewCreate": CUSTOMER,
    "reviewUpdate": CUSTOMER,
    "reviewDelete": CUSTOMER,
    "reviewModerate": ADMIN,
    "reviewReply": ADMIN,
    "reviewVoteHelpful": PUBLIC,
    "orderFeedbackSubmit": PUBLIC,
}

SCHEMA = build_schema()._schema
ROOT_FIELDS: list[tuple[str, str]] = [
    *(("query", name) for name in SCHEMA.query_type.fields),  # type: ignore[union-attr]
    *(("mutation", name) for name in SCHEMA.mutation_type.fields),  # type: ignore[union-attr]
]

# -- documents made from the schema --------------------------------------------------------

_SCALARS = {
    "String": '"x"',
    "ID": '"x"',
    "Int": "1",
    "Float": "1.0",
    "Boolean": "false",
    "DateTime": '"2030-01-01T00:00:00+00:00"',
    "Date": '"2030-01-01"',
    "Decimal": '"1.00"',
}


def _value(type_: GraphQLInputType) -> str:
    """A literal of ``type_`` that passes validation."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type)
    if isinstance(type_, GraphQLList):
        return "[]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        required = [
            f"{name}: {_value(f.type)}"
            for name, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return _SCALARS.get(type_.name, '"x"')


def _document(operation: str, name: str, definition: GraphQLField) -> str:
    arguments = [
        f"{arg}: {_value(a.type)}"
        for arg, a in definition.args.items()
        if isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
    ]
    call = name + (f"({', '.join(arguments)})" if arguments else "")
    selection = "" if is_leaf_type(get_named_type(definition.type)) else " { __typename }"
    return f"{operation} {{ {call}{selection} }}"


# -- the callers ---------------------------------------------------------------------------


@dataclass
class World:
    """One caller of each kind, and a cart that belongs to ``customer``."""

    headers: dict[str, dict[str, str]]
    customer_cart: str


SIGN_UP = """
mutation ($input: CustomerSignUpInput!) {
  customerSignUp(input: $input) { session { accessToken } userErrors { code } }
}
"""


def _bearer(client: TestClient, email: str) -> dict[str, str]:
    body = client.post(
        "/graphql",
        json={
            "query": SIGN_UP,
            "variables": {"input": {"email": email, "password": "matrix passphrase"}},
        },
    ).json()
    return {"Authorization": f"Bearer {body['data']['customerSignUp']['session']['accessToken']}"}


@pytest.fixture
def world(client: TestClient, services: Services) -> World:
    access = services.access
    partner = access.create_partner("Matrix Blog", "matrix@example.com")
    partner_key = access.create_key(
        "matrix partner",
        frozenset({Scope.STOREFRONT_READ, Scope.PARTNER_REPORTS}),
        partner_id=partner.id,
    )
    shop_key = access.create_key("matrix shop", frozenset({Scope.STOREFRONT_READ, Scope.CHECKOUT}))
    admin = access.create_key("matrix admin", frozenset({Scope.ADMIN}))
    customer = _bearer(client, "matrix-customer@example.com")
    created = client.post(
        "/graphql",
        json={"query": "mutation { cartCreate(input: {}) { cart { id } } }"},
        headers=customer,
    ).json()
    return World(
        headers={
            "anonymous": {},
            "customer": customer,
            "other_customer": _bearer(client, "matrix-other@example.com"),
            "partner": {"X-API-Key": partner_key.plaintext},
            "storefront_key": {"X-API-Key": shop_key.plaintext},
            "admin_key": {"X-API-Key": admin.plaintext},
        },
        customer_cart=created["data"]["cartCreate"]["cart"]["id"],
    )


def _rule(operation: str, name: str) -> Rule | None:
    return (QUERIES if operation == "query" else MUTATIONS).get(name)


def _outcome(body: dict[str, Any], name: str) -> tuple[Outcome | None, str]:
    """What the caller got from field ``name``, or None and why it fits no outcome."""
    codes = [
        (e.get("extensions") or {}).get("code")
        for e in body.get("errors", [])
        if not e.get("path") or e["path"][0] == name
    ]
    if "INTERNAL_SERVER_ERROR" in codes:
        return None, f"internal error: {body['errors']}"
    if "UNAUTHENTICATED" in codes:
        return U, ""
    if "FORBIDDEN" in codes:
        return F, ""
    data = body.get("data") or {}
    if name in data and data[name] is None and not codes:
        return N, ""
    return A, ""


def _check(client: TestClient, world: World, principal: str) -> Iterator[str]:
    """A line per field whose outcome for ``principal`` is not the table's."""
    for operation, name in ROOT_FIELDS:
        rule = _rule(operation, name)
        if rule is None:
            continue  # reported by test_every_root_field_has_a_rule
        root = SCHEMA.query_type if operation == "query" else SCHEMA.mutation_type
        assert root is not None
        document = rule.document or _document(operation, name, root.fields[name])
        variables = {
            key: world.customer_cart if value == "$CUSTOMER_CART" else value
            for key, value in rule.variables.items()
        }
        response = client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers=world.headers[principal],
        )
        body = response.json()
        got, why = _outcome(body, name)
        expected = rule.expected(principal)
        # A row with its own document asks for a real answer when allowed, not just a pass.
        if got is A and rule.document is not None and (body.get("data") or {}).get(name) is None:
            got, why = None, f"expected data, got {body}"
        if got is not expected:
            shown = "nothing it should" if got is None else got.name
            yield f"{name} as {principal}: expected {expected.name}, got {shown} {why}".rstrip()


def test_every_root_field_has_a_rule() -> None:
    # given
    missing = [f"{op} {name}" for op, name in ROOT_FIELDS if _rule(op, name) is None]
    stale = [
        name
        for table, root in ((QUERIES, SCHEMA.query_type), (MUTATIONS, SCHEMA.mutation_type))
        for name in table
        if root is None or name not in root.fields
    ]

    # then
    assert not missing, (
        "root fields without an authorization rule in tests/e2e/test_authorization_matrix.py "
        f"(add a row for each): {', '.join(missing)}"
    )
    assert not stale, f"rows for fields the schema no longer has: {', '.join(stale)}"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_kind_of_caller_gets_exactly_what_the_table_says(
    client: TestClient, world: World, principal: str
) -> None:
    # when
    wrong = list(_check(client, world, principal))

    # then
    assert not wrong, "\n".join(wrong)


# -- node(id): every type with a global id, under its own rule ------------------------------

#                        anon customer other  partner  shopkey  admin
NODE_RULES: dict[str, Rule] = {
    "Product": PUBLIC,
    "ProductVariant": PUBLIC,
    "Collection": PUBLIC,
    # The customer's cart: theirs alone, and refused without the checkout scope, as cart(id).
    "Cart": Rule(N, A, N, F, N, N),
    # The customer's order: theirs and staff's, as order(id) without an access token.
    "Order": Rule(N, A, N, N, N, A),
    # A customer: themselves and staff.
    "Customer": Rule(N, A, N, N, N, A),
    # A saved address: its owner only (staff read addresses through their customer).
    "CustomerAddress": Rule(N, A, N, N, N, N),
    # A partner: itself and staff.
    "Partner": Rule(N, N, N, A, N, A),
    # Staff's: refused to everyone else as the root fields refuse.
    "Promotion": ADMIN,
    "ShippingZone": ADMIN,
    "ShippingRate": ADMIN,
    # A shown review: everyone (rejected ones are staff's, as reviews/ decides).
    "Review": PUBLIC,
}

CUSTOMER_ID = "{ customer { id } }"
ADDRESS_CREATE = """
mutation ($input: CustomerAddressCreateInput!) {
  customerAddressCreate(input: $input) { address { id } userErrors { code } }
}"""
ZONE_CREATE = """
mutation ($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { code } }
}"""
RATE_CREATE = """
mutation ($input: ShippingRateCreateInput!) {
  shippingRateCreate(input: $input) { shippingRate { id } userErrors { code } }
}"""
NODE = "query ($id: ID!) { node(id: $id) { __typename id } }"


def _data(
    client: TestClient, document: str, variables: dict[str, Any], headers: dict[str, str]
) -> Any:
    body = client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    ).json()
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    return payload


@pytest.fixture
def node_ids(client: TestClient, services: Services, world: World) -> dict[str, str]:
    """One object of every node type; the customer's own where objects have an owner."""
    from decimal import Decimal

    from commerce.cart.commands import CreateCart
    from commerce.cart.model import BuyerIdentity, LineRequest
    from commerce.catalog.commands import CollectionDraft, ProductDraft, VariantDraft
    from commerce.catalog.model import VariantKind
    from commerce.graphql.ids import parse_global_id, to_global_id
    from commerce.money import Currency, Money
    from commerce.pricing.model import ItemsOff, Selector
    from commerce.principals import Shopper
    from commerce.promotions.codec import Conditions, Promotion

    admin = world.headers["admin_key"]
    customer = world.headers["customer"]
    product = services.catalog.create_product(
        ProductDraft(
            title="Node probe",
            published=True,
            variants=(
                VariantDraft(
                    sku="NODE-1", prices=(Money(1000, Currency.USD),), kind=VariantKind.DIGITAL
                ),
            ),
        )
    )
    variant = product.variants[0]
    collection = services.catalog.create_collection(CollectionDraft(title="Node probes"))
    customer_global = _data(client, CUSTOMER_ID, {}, customer)["id"]
    parsed = parse_global_id(customer_global)
    assert parsed is not None
    cart = services.cart.create(
        CreateCart(
            lines=[LineRequest(product.id, variant.id, 1)],
            buyer_identity=BuyerIdentity(email="matrix-customer@example.com"),
        ),
        Shopper(parsed[1]),
    ).cart
    order = services.checkout.complete(cart.id, "node-probe", Shopper(parsed[1])).order
    services.orders.payment_succeeded(
        order_id=order.id, intent_id=str(order.payment_intent_id), amount=order.total
    )
    from commerce.reviews.commands import WriteReview

    review = services.reviews.write(
        WriteReview(product.id, 4, "Node probe", "", order.id), parsed[1]
    )
    address = _data(
        client,
        ADDRESS_CREATE,
        {"input": {"address": {"address1": "1 Main St", "city": "Leeds", "countryCode": "GB"}}},
        customer,
    )["address"]["id"]
    promotion = services.promotions.create_promotion(
        Promotion("", "Node probe 10%", ItemsOff(Selector(), percent=Decimal(10)), Conditions())
    )
    zone = _data(client, ZONE_CREATE, {"input": {"name": "GB", "countries": ["GB"]}}, admin)
    zone_id = zone["shippingZone"]["id"]
    rate = {
        "zoneId": zone_id,
        "title": "Standard",
        "kind": "FLAT",
        "prices": [{"amount": "5.00", "currencyCode": "GBP"}],
    }
    rate_id = _data(client, RATE_CREATE, {"input": rate}, admin)["shippingRate"]["id"]
    partner_header = world.headers["partner"]
    partner = _data(client, "{ partner { id } }", {}, partner_header)["id"]
    return {
        "Product": to_global_id("Product", product.id),
        "ProductVariant": to_global_id("ProductVariant", f"{product.id}.{variant.id}"),
        "Collection": to_global_id("Collection", collection.id),
        "Cart": world.customer_cart,
        "Order": to_global_id("Order", order.id),
        "Customer": customer_global,
        "CustomerAddress": address,
        "Partner": partner,
        "Promotion": to_global_id("Promotion", promotion.id),
        "ShippingZone": zone_id,
        "ShippingRate": rate_id,
        "Review": to_global_id("Review", review.id),
    }


def test_every_node_type_has_a_rule() -> None:
    from commerce.schema import NODE_TYPES

    assert sorted(NODE_TYPES) == sorted(NODE_RULES)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_node_answers_each_caller_as_the_type_rule_says(
    client: TestClient, world: World, node_ids: dict[str, str], principal: str
) -> None:
    # when
    wrong = []
    for type_name, rule in NODE_RULES.items():
        body = client.post(
            "/graphql",
            json={"query": NODE, "variables": {"id": node_ids[type_name]}},
            headers=world.headers[principal],
        ).json()
        got, why = _outcome(body, "node")
        found = (body.get("data") or {}).get("node")
        if got is A and (found is None or found["__typename"] != type_name):
            got, why = None, f"expected the {type_name}, got {body}"
        if got is not rule.expected(principal):
            shown = "nothing it should" if got is None else got.name
            wrong.append(
                f"{type_name}: expected {rule.expected(principal).name}, got {shown} {why}"
            )

    # then
    assert not wrong, "\n".join(wrong)


def test_nodes_resolves_every_type_in_one_call_for_staff(
    client: TestClient, world: World, node_ids: dict[str, str]
) -> None:
    # given: every object staff may read by id
    readable = [t for t, rule in NODE_RULES.items() if rule.admin_key is A]

    # when
    body = client.post(
        "/graphql",
        json={
            "query": "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            "variables": {"ids": [node_ids[t] for t in readable]},
        },
        headers=world.headers["admin_key"],
    ).json()

    # then
    assert "errors" not in body, body
    assert [n["__typename"] for n in body["data"]["nodes"]] == readable
    assert [n["id"] for n in body["data"]["nodes"]] == [node_ids[t] for t in readable]
