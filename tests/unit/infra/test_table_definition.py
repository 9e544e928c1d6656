"""infra/table.yml (the deployed table) must describe the table the code defines."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from commerce.db.table import table_definition


def _table(template: dict[str, Any]) -> dict[str, Any]:
    tables = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }
    assert list(tables) == ["CommerceTable"], "infra/table.yml must declare exactly one table"
    return tables["CommerceTable"]


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return sorted((key["AttributeName"], key["KeyType"]) for key in schema)


def normalized(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation table in the shape of ``table_definition()``."""
    props = _table(template)["Properties"]
    ttl = props["TimeToLiveSpecification"]
    return {
        "attribute_definitions": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]
        ),
        "key_schema": _keys(props["KeySchema"]),
        "global_secondary_indexes": sorted(
            (
                index["IndexName"],
                tuple(_keys(index["KeySchema"])),
                index["Projection"]["ProjectionType"],
            )
            for index in props.get("GlobalSecondaryIndexes", [])
        ),
        "ttl_attribute": ttl["AttributeName"] if ttl.get("Enabled") is True else None,
        "stream_view_type": props["StreamSpecification"]["StreamViewType"],
        "billing_mode": props["BillingMode"],
    }


def test_cloudformation_table_matches_the_code(table_template: dict[str, Any]) -> None:
    assert normalized(table_template) == table_definition()


@pytest.mark.parametrize(
    "field",
    [
        "attribute_definitions",
        "key_schema",
        "global_secondary_indexes",
        "ttl_attribute",
        "stream_view_type",
        "billing_mode",
    ],
)
def test_each_field_matches(table_template: dict[str, Any], field: str) -> None:
    """Field by field, so a failure names what drifted."""
    assert normalized(table_template)[field] == table_definition()[field]


def _rename_gsi(props: dict[str, Any]) -> None:
    props["GlobalSecondaryIndexes"][0]["IndexName"] = "ByCategory"


def _keys_only_projection(props: dict[str, Any]) -> None:
    props["GlobalSecondaryIndexes"][1]["Projection"] = {"ProjectionType": "KEYS_ONLY"}


def _swap_sort_key(props: dict[str, Any]) -> None:
    props["KeySchema"][1]["AttributeName"] = "GSI1SK"


def _numeric_attribute(props: dict[str, Any]) -> None:
    props["AttributeDefinitions"][0]["AttributeType"] = "N"


def _rename_ttl(props: dict[str, Any]) -> None:
    props["TimeToLiveSpecification"]["AttributeName"] = "expires_at"


def _disable_ttl(props: dict[str, Any]) -> None:
    props["TimeToLiveSpecification"]["Enabled"] = False


def _keys_only_stream(props: dict[str, Any]) -> None:
    props["StreamSpecification"]["StreamViewType"] = "KEYS_ONLY"


def _provisioned(props: dict[str, Any]) -> None:
    props["BillingMode"] = "PROVISIONED"


def _drop_gsi(props: dict[str, Any]) -> None:
    del props["GlobalSecondaryIndexes"][1]


@pytest.mark.parametrize(
    "mutate",
    [
        _rename_gsi,
        _keys_only_projection,
        _swap_sort_key,
        _numeric_attribute,
        _rename_ttl,
        _disable_ttl,
        _keys_only_stream,
        _provisioned,
        _drop_gsi,
    ],
)
def test_the_comparison_notices_drift(
    table_template: dict[str, Any], mutate: Callable[[dict[str, Any]], None]
) -> None:
    """Any one change to the template breaks the equality the first test relies on."""
    drifted = copy.deepcopy(table_template)
    mutate(_table(drifted)["Properties"])
    assert normalized(drifted) != table_definition()


def test_point_in_time_recovery_and_encryption(table_template: dict[str, Any]) -> None:
    props = _table(table_template)["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_table_name_and_stage_dependent_protection(table_template: dict[str, Any]) -> None:
    table = _table(table_template)
    props = table["Properties"]
    assert props["TableName"] == "${self:service}-${sls:stage}"
    # Resolved per stage from serverless.yml's params (true and Retain for prod only);
    # scripts/check-deploy.sh checks the resolved values in the packaged templates.
    assert props["DeletionProtectionEnabled"] == "${param:tableDeletionProtection}"
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "${param:tableDeletionPolicy}"


def test_outputs_name_arn_and_stream(table_template: dict[str, Any]) -> None:
    outputs = {name: output["Value"] for name, output in table_template["Outputs"].items()}
    assert outputs == {
        "CommerceTableName": {"Ref": "CommerceTable"},
        "CommerceTableArn": {"Fn::GetAtt": ["CommerceTable", "Arn"]},
        "CommerceTableStreamArn": {"Fn::GetAtt": ["CommerceTable", "StreamArn"]},
    }
