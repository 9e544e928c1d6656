"""Staff manage promotions and discount codes over GraphQL; shoppers cannot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commerce.graphql.ids import to_global_id

if TYPE_CHECKING:
    from conftest import GraphQLCaller

ERRORS = "userErrors { field code message }"
FIELDS = """
    id name kind summary offer priority exclusive currencyCode startsAt endsAt
    channels customerSegments firstOrderOnly requiresCode
"""
CREATE = f"""
mutation ($input: PromotionInput!) {{
  promotionCreate(input: $input) {{ promotion {{ {FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: PromotionUpdateInput!) {{
  promotionUpdate(input: $input) {{ promotion {{ {FIELDS} }} {ERRORS} }}
}}"""
DELETE = f"""
mutation ($id: ID!) {{ promotionDelete(input: {{id: $id}}) {{ deletedPromotionId {ERRORS} }} }}"""
CODE = f"""
mutation ($input: DiscountCodeCreateInput!) {{
  discountCodeCreate(input: $input) {{
    discountCodes {{ code promotionId usageLimit perCustomerLimit timesUsed }} {ERRORS}
  }}
}}"""
GENERATE = f"""
mutation ($input: DiscountCodesGenerateInput!) {{
  discountCodesGenerate(input: $input) {{ discountCodes {{ code usageLimit }} {ERRORS} }}
}}"""
LIST = f"{{ promotions {{ {FIELDS} }} }}"
CODES = "query ($id: ID!) { discountCodes(promotionId: $id) { code timesUsed } }"
BUY_3 = {
    "name": "Buy 3 get 1 free",
    "kind": "BUY_X_GET_Y",
    "buy": 3,
    "noun": "book",
    "selector": {"collectionIds": [to_global_id("Collection", "books")]},
    "channels": ["WEB"],
}


def data(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][field]
    return result


def test_staff_create_read_change_and_delete_a_promotion(
    gql: GraphQLCaller, admin_key: str
) -> None:
    created = data(gql(CREATE, {"input": BUY_3}, api_key=admin_key), "promotionCreate")
    assert created["userErrors"] == []
    promotion = created["promotion"]
    assert (promotion["kind"], promotion["summary"]) == (
        "BUY_X_GET_Y",
        "Buy 3, get the cheapest free",
    )
    assert promotion["offer"]["selector"]["collection_ids"] == ["books"]
    assert promotion["channels"] == ["WEB"]
    changed_input = {**BUY_3, "kind": "ORDER_OFF", "amount": "5.00", "minSubtotal": "50",
                     "currencyCode": "USD", "exclusive": True}  # fmt: skip
    changed = data(
        gql(UPDATE, {"input": {**changed_input, "id": promotion["id"]}}, api_key=admin_key),
        "promotionUpdate",
    )["promotion"]
    assert changed["summary"] == "5.00 off the order of 50.00 or more"
    assert changed["offer"]["amount"] == 500
    assert changed["exclusive"] is True
    listed = data(gql(LIST, api_key=admin_key), "promotions")
    assert [p["id"] for p in listed] == [promotion["id"]]
    deleted = data(gql(DELETE, {"id": promotion["id"]}, api_key=admin_key), "promotionDelete")
    assert deleted == {"deletedPromotionId": promotion["id"], "userErrors": []}
    assert data(gql(LIST, api_key=admin_key), "promotions") == []


def test_a_wrong_promotion_comes_back_with_every_error_and_nothing_is_stored(
    gql: GraphQLCaller, admin_key: str
) -> None:
    wrong = {"name": "Half", "kind": "ITEMS_OFF", "percent": "150", "amount": "1.005",
             "selector": {"productIds": ["not-an-id"]}}  # fmt: skip
    result = data(gql(CREATE, {"input": wrong}, api_key=admin_key), "promotionCreate")
    assert result["promotion"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_ID", ["input", "selector", "productIds", "0"]),
        ("CURRENCY_REQUIRED", ["input", "amount"]),
    ]
    assert data(gql(LIST, api_key=admin_key), "promotions") == []
    result = data(
        gql(CREATE, {"input": {**wrong, "amount": None, "selector": None}}, api_key=admin_key),
        "promotionCreate",
    )
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_PERCENT", ["offer", "percent"])
    ]


def test_staff_give_a_promotion_a_shared_code_and_a_batch_of_unique_ones(
    gql: GraphQLCaller, admin_key: str
) -> None:
    promotion = data(gql(CREATE, {"input": BUY_3}, api_key=admin_key), "promotionCreate")
    pid = promotion["promotion"]["id"]
    shared = {"promotionId": pid, "code": "spring10", "usageLimit": 100, "perCustomerLimit": 1}
    made = data(gql(CODE, {"input": shared}, api_key=admin_key), "discountCodeCreate")
    assert made["discountCodes"] == [
        {
            "code": "SPRING10",
            "promotionId": pid,
            "usageLimit": 100,
            "perCustomerLimit": 1,
            "timesUsed": 0,
        }
    ]
    again = data(gql(CODE, {"input": shared}, api_key=admin_key), "discountCodeCreate")
    assert [e["code"] for e in again["userErrors"]] == ["CODE_TAKEN"]
    batch = {"promotionId": pid, "count": 5, "prefix": "vip-"}
    generated = data(gql(GENERATE, {"input": batch}, api_key=admin_key), "discountCodesGenerate")
    codes = {c["code"] for c in generated["discountCodes"]}
    assert len(codes) == 5
    assert all(c.startswith("VIP-") for c in codes)
    listed = data(gql(CODES, {"id": pid}, api_key=admin_key), "discountCodes")
    assert {c["code"] for c in listed} == codes | {"SPRING10"}
    unknown = {"promotionId": to_global_id("Promotion", "0" * 26), "count": 1}
    refused = data(gql(GENERATE, {"input": unknown}, api_key=admin_key), "discountCodesGenerate")
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]


def test_shoppers_cannot_read_or_change_promotions(gql: GraphQLCaller) -> None:
    body = gql(CREATE, {"input": BUY_3})
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert gql(LIST)["data"] is None
