"""The CloudFormation that `osls package` generates, as it would be deployed, per stage.

Reads ``.commerce/package/<stage>/`` written by ``scripts/check-deploy.sh``; when that is
missing or older than serverless.yml and infra/, the session packages it first
(``check-deploy.sh --package-only``, about a minute, no AWS account needed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_DIR = REPO_ROOT / ".commerce" / "package"
STAGES = ("dev", "prod")
INPUTS = [
    REPO_ROOT / "serverless.yml",
    REPO_ROOT / "package-lock.json",
    *sorted((REPO_ROOT / "infra").glob("*.yml")),
]


def _template_path(stage: str) -> Path:
    return PACKAGE_DIR / stage / "cloudformation-template-update-stack.json"


def _stale() -> bool:
    newest_input = max(path.stat().st_mtime for path in INPUTS)
    return any(
        not _template_path(s).exists() or _template_path(s).stat().st_mtime < newest_input
        for s in STAGES
    )


@pytest.fixture(scope="session")
def templates() -> dict[str, dict[str, Any]]:
    if _stale():
        venv = Path(sys.executable).parent.parent
        subprocess.run(
            ["bash", "scripts/check-deploy.sh", "--package-only"],
            cwd=REPO_ROOT,
            env={**os.environ, "VENV": str(venv)},
            check=True,
            capture_output=True,
            timeout=900,
        )
    return {s: json.loads(_template_path(s).read_text(encoding="utf-8")) for s in STAGES}


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allow_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in properties.get("Policies", [])]
        if resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            documents.append(properties["PolicyDocument"])
        for document in documents:
            found += [(name, s) for s in document["Statement"] if s["Effect"] == "Allow"]
    return found


@pytest.fixture(params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def template(templates: dict[str, dict[str, Any]], stage: str) -> dict[str, Any]:
    return templates[stage]


def test_every_function_has_its_events(template: dict[str, Any], stage: str) -> None:
    # api: the HTTP API routes all reach the api function (or its SnapStart alias)
    routes = sorted(
        r["Properties"]["RouteKey"] for r in of_type(template, "AWS::ApiGatewayV2::Route").values()
    )
    assert routes == [
        "GET /downloads/{token}",
        "GET /graphql",
        "GET /health",
        "GET /recovery/opt-out",
        "POST /graphql",
        "POST /recovery/opt-out",
        "POST /webhooks/stripe",
    ]
    (integration,) = of_type(template, "AWS::ApiGatewayV2::Integration").values()
    uri = json.dumps(integration["Properties"]["IntegrationUri"])
    assert "ApiLambdaFunction" in uri
    assert ("snapstart" in uri) is (stage == "prod")
    # jobs: schedules whose input names a job the function has
    from commerce.jobs.runner import JOBS

    rules = of_type(template, "AWS::Events::Rule").values()
    targets = [t for r in rules for t in r["Properties"]["Targets"]]
    assert targets
    for target in targets:
        assert target["Arn"] == {"Fn::GetAtt": ["JobsLambdaFunction", "Arn"]}
        assert json.loads(target["Input"])["job"] in JOBS
    # events: the table's stream, with partial failures, bisection and a dead-letter queue
    (mapping,) = of_type(template, "AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["CommerceTable", "StreamArn"]}
    assert props["FunctionName"] == {"Fn::GetAtt": ["EventsLambdaFunction", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] >= 1
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]
    }
    assert props["FilterCriteria"]["Filters"]


def test_no_iam_statement_grants_every_resource(template: dict[str, Any]) -> None:
    statements = allow_statements(template)
    assert statements
    for name, statement in statements:
        resources = as_list(statement.get("Resource", []))
        assert "*" not in resources, (name, statement)
        assert not any(a == "*" or a.endswith(":*") for a in as_list(statement["Action"]))
        if "NotResource" in statement:
            assert as_list(statement["Action"]) == ["sns:Publish"], (name, statement)
            assert not resources


def test_x_ray_write_access_only_where_tracing_is_on(template: dict[str, Any], stage: str) -> None:
    for name, role in of_type(template, "AWS::IAM::Role").items():
        managed = role["Properties"].get("ManagedPolicyArns", [])
        expected = ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"] if stage == "prod" else []
        assert managed == expected, name
    for name, function in of_type(template, "AWS::Lambda::Function").items():
        mode = function["Properties"].get("TracingConfig", {}).get("Mode")
        assert mode == ("Active" if stage == "prod" else None), name


def test_the_table_has_pitr_streams_and_ttl(template: dict[str, Any], stage: str) -> None:
    table = template["Resources"]["CommerceTable"]["Properties"]
    assert table["TableName"] == f"commerce-{stage}"
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table["DeletionProtectionEnabled"] is (stage == "prod")


def test_the_files_bucket_is_private_encrypted_and_tls_only(
    template: dict[str, Any], stage: str
) -> None:
    bucket = template["Resources"]["FilesBucket"]
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert f'"{stage}"' in json.dumps(props["BucketName"])
    assert bucket["DeletionPolicy"] == ("Retain" if stage == "prod" else "Delete")
    policy = template["Resources"]["FilesBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "FilesBucket"}
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # and only the api function may read it
    readers = [
        name
        for name, statement in allow_statements(template)
        if "FilesBucket" in json.dumps(statement.get("Resource"))
    ]
    assert readers == ["ApiRole"]


def test_the_dead_letter_queue_is_encrypted_and_the_events_role_can_fill_it(
    template: dict[str, Any], stage: str
) -> None:
    queue = template["Resources"]["EventsDeadLetterQueue"]["Properties"]
    assert queue["QueueName"] == f"commerce-{stage}-events-dlq"
    assert queue["SqsManagedSseEnabled"] is True
    senders = [
        name
        for name, statement in allow_statements(template)
        if "sqs:SendMessage" in as_list(statement["Action"])
    ]
    assert senders == ["EventsRole"]


def test_the_alarms_watch_what_the_runbook_covers(template: dict[str, Any], stage: str) -> None:
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    watched = set()
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmName"].startswith(f"commerce-{stage}-")
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        metrics = (
            [props]
            if "MetricName" in props
            else [m["MetricStat"]["Metric"] for m in props["Metrics"] if "MetricStat" in m]
        )
        for metric in metrics:
            dimension = metric["Dimensions"][0]["Value"]
            target = dimension.get("Ref") if isinstance(dimension, dict) else dimension
            if isinstance(dimension, dict) and "Fn::GetAtt" in dimension:
                target = dimension["Fn::GetAtt"][0]
            watched.add((metric["Namespace"], metric["MetricName"], target))
    for function in ("Api", "Jobs", "Events"):
        assert ("AWS/Lambda", "Errors", f"{function}LambdaFunction") in watched
        assert ("AWS/Lambda", "Throttles", f"{function}LambdaFunction") in watched
    assert ("AWS/ApiGateway", "5xx", "HttpApi") in watched
    assert ("AWS/ApiGateway", "Latency", "HttpApi") in watched
    assert ("AWS/Lambda", "IteratorAge", "EventsLambdaFunction") in watched
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "EventsDeadLetterQueue") in watched
    latency = next(a for a in alarms.values() if a["Properties"].get("MetricName") == "Latency")
    assert latency["Properties"]["ExtendedStatistic"] == "p99"


def test_names_are_per_stage(template: dict[str, Any], stage: str) -> None:
    names = {
        name: function["Properties"]["FunctionName"]
        for name, function in of_type(template, "AWS::Lambda::Function").items()
    }
    assert names == {
        "ApiLambdaFunction": f"commerce-{stage}-api",
        "JobsLambdaFunction": f"commerce-{stage}-jobs",
        "EventsLambdaFunction": f"commerce-{stage}-events",
    }
    api_env = template["Resources"]["ApiLambdaFunction"]["Properties"]["Environment"]["Variables"]
    assert api_env["COMMERCE_PARAMETER_PREFIX"] == f"/commerce/{stage}"
    granted = [
        resource["Fn::Sub"]
        for _, statement in allow_statements(template)
        if "ssm:GetParameters" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    ]
    # the api's six secrets; the Stripe key and the webhook key for jobs and for events;
    # the opt-out key of recovery messages for jobs
    assert len(granted) == 11
    assert all(f":parameter/commerce/{stage}/" in arn for arn in granted)


def test_snapstart_only_on_the_prod_api(template: dict[str, Any], stage: str) -> None:
    for name, function in of_type(template, "AWS::Lambda::Function").items():
        snap = function["Properties"].get("SnapStart")
        expected = (
            {"ApplyOn": "PublishedVersions"}
            if (stage, name)
            == (
                "prod",
                "ApiLambdaFunction",
            )
            else None
        )
        assert snap == expected, name


def test_download_links_are_absolute_on_the_api(template: dict[str, Any]) -> None:
    # A relative link in an order e-mail would open nowhere.
    api = template["Resources"]["ApiLambdaFunction"]["Properties"]
    assert api["Environment"]["Variables"]["COMMERCE_PUBLIC_URL"] == {
        "Fn::GetAtt": ["HttpApi", "ApiEndpoint"]
    }
