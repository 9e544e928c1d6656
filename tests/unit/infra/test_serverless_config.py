"""serverless.yml and infra/iam.yml: functions, their events, roles, runtime and packaging."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

TABLE_ARNS = [
    {"Fn::GetAtt": ["CommerceTable", "Arn"]},
    {"Fn::Join": ["", [{"Fn::GetAtt": ["CommerceTable", "Arn"]}, "/index/*"]]},
]
# What each function's role may do on the table; transactions are authorised through
# Put/Update/Delete/ConditionCheck (there is no TransactWriteItems action).
TABLE_ACTIONS = {
    "api": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
    },
    "jobs": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
    },
}
TABLE_ACTIONS["events"] = set(TABLE_ACTIONS["jobs"])
# Training rewrites every product's co-purchase row in batches.
TABLE_ACTIONS["jobs"] |= {"dynamodb:BatchWriteItem"}
HANDLERS = {
    "api": "commerce.lambda_handler.handler",
    "jobs": "commerce.jobs.handler.handler",
    "events": "commerce.events.handler.handler",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(iam_template: dict[str, Any], function: str) -> dict[str, dict[str, Any]]:
    """The role's inline statements by Sid."""
    role = iam_template["Resources"][f"{function.capitalize()}Role"]["Properties"]
    (policy,) = role["Policies"]
    return {st["Sid"]: st for st in policy["PolicyDocument"]["Statement"]}


def test_three_functions_with_their_handlers_and_roles(serverless_config: dict[str, Any]) -> None:
    assert serverless_config["service"] == "commerce"
    functions = serverless_config["functions"]
    assert {name: fn["handler"] for name, fn in functions.items()} == HANDLERS
    assert {name: fn["role"] for name, fn in functions.items()} == {
        "api": "ApiRole",
        "jobs": "JobsRole",
        "events": "EventsRole",
    }
    for handler in HANDLERS.values():
        module, _, function = handler.rpartition(".")
        assert (REPO_ROOT / "src" / Path(*module.split("."))).with_suffix(".py").is_file()
        assert function == "handler"


def test_api_function_routes(serverless_config: dict[str, Any]) -> None:
    events = serverless_config["functions"]["api"]["events"]
    routes = {f"{e['httpApi']['method']} {e['httpApi']['path']}" for e in events}
    assert routes == {
        "GET /graphql",
        "POST /graphql",
        "GET /recovery/opt-out",
        "POST /recovery/opt-out",
        "POST /webhooks/stripe",
        "GET /downloads/{token}",
        "GET /health",
    }


def test_jobs_run_on_schedules_that_name_a_known_job(serverless_config: dict[str, Any]) -> None:
    from commerce.jobs.runner import JOBS

    schedules = [e["schedule"] for e in serverless_config["functions"]["jobs"]["events"]]
    assert schedules
    for schedule in schedules:
        assert schedule["rate"].startswith("rate(")
        assert schedule["input"]["job"] in JOBS


def test_events_consume_the_stream_with_partial_failures_and_a_dead_letter_queue(
    serverless_config: dict[str, Any],
) -> None:
    (event,) = serverless_config["functions"]["events"]["events"]
    stream = event["stream"]
    assert stream["type"] == "dynamodb"
    assert stream["arn"] == {"Fn::GetAtt": ["CommerceTable", "StreamArn"]}
    assert stream["functionResponseType"] == "ReportBatchItemFailures"
    assert stream["bisectBatchOnFunctionError"] is True
    assert 0 < stream["maximumRetryAttempts"] <= 10
    assert stream["destinations"]["onFailure"] == {
        "arn": {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]},
        "type": "sqs",
    }


def test_stream_filters_let_through_every_change_a_consumer_handles(
    serverless_config: dict[str, Any],
) -> None:
    from commerce.events.consumers import Consumers

    (event,) = serverless_config["functions"]["events"]["events"]
    filtered = {
        (kind, name)
        for f in event["stream"]["filterPatterns"]
        for kind in f["dynamodb"].get("NewImage", f["dynamodb"].get("OldImage"))["type"]["S"]
        for name in f["eventName"]
    }
    reservations = [
        f
        for f in event["stream"]["filterPatterns"]
        if "Reservation" in f["dynamodb"].get("OldImage", {}).get("type", {}).get("S", [])
    ]
    # Only a reservation's expiry by TTL releases its stock, never a delete by the service.
    assert [f["userIdentity"]["principalId"] for f in reservations] == [["dynamodb.amazonaws.com"]]
    consumed = {(kind, change.value) for kind, change in Consumers.dispatch_keys()}
    assert consumed <= filtered
    # Lambda's default quota is five patterns a stream; to stay within it, one pattern also
    # lets through these changes, which no consumer wants and the function skips.
    assert filtered - consumed == {
        ("Notification", "MODIFY"),
        ("CatalogImport", "MODIFY"),
        ("WebhookDelivery", "MODIFY"),
        # Ledger entries never change; a payout's insert is not yet paid.
        ("CommissionEntry", "MODIFY"),
        ("Payout", "INSERT"),
        ("Customer", "MODIFY"),
        ("Review", "MODIFY"),
    }
    assert len(event["stream"]["filterPatterns"]) <= 5


def test_runtime_and_architecture(serverless_config: dict[str, Any]) -> None:
    provider = serverless_config["provider"]
    assert provider["name"] == "aws"
    match = re.fullmatch(r"python3\.(\d+)", provider["runtime"])
    assert match, provider["runtime"]
    assert int(match.group(1)) >= 12
    assert provider["architecture"] == "arm64"
    assert provider["tracing"] == {"lambda": "${param:tracing}"}
    assert "iam" not in provider  # each function has its own role


@pytest.mark.parametrize("function", list(HANDLERS))
def test_no_role_statement_grants_everything(iam_template: dict[str, Any], function: str) -> None:
    for statement in _statements(iam_template, function).values():
        assert statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"]):
            assert action != "*"
            assert not action.endswith(":*"), statement
        if "NotResource" in statement:  # SMS to phone numbers: everything except topics
            assert _as_list(statement["Action"]) == ["sns:Publish"]
            assert "Resource" not in statement
            continue
        for resource in _as_list(statement["Resource"]):
            assert resource != "*", statement


@pytest.mark.parametrize("function", list(HANDLERS))
def test_each_role_has_only_the_table_actions_its_function_uses(
    iam_template: dict[str, Any], function: str
) -> None:
    table = _statements(iam_template, function)["Table"]
    assert set(table["Action"]) == TABLE_ACTIONS[function]
    assert table["Resource"] == TABLE_ARNS


def test_only_the_events_role_reads_the_stream_and_sends_messages(
    iam_template: dict[str, Any],
) -> None:
    sids = {fn: set(_statements(iam_template, fn)) for fn in HANDLERS}
    assert sids == {
        "api": {"Logs", "Table", "Secrets", "DigitalGoods", "CatalogSnapshots", "PushDevices"},
        "jobs": {"Logs", "Table", "Secrets", "CatalogSnapshots"},
        "events": {
            "Logs",
            "Table",
            "Secrets",
            "Stream",
            "DeadLetters",
            "Email",
            "TextMessages",
            "PushMessages",
            "CatalogSnapshots",
        },
    }


def test_only_the_api_reads_catalog_snapshots_and_every_function_writes_only_under_catalog(
    iam_template: dict[str, Any],
) -> None:
    granted = {
        fn: set(_as_list(_statements(iam_template, fn)["CatalogSnapshots"]["Action"]))
        for fn in HANDLERS
    }
    assert granted == {
        "api": {"s3:GetObject", "s3:PutObject"},
        "jobs": {"s3:PutObject"},
        "events": {"s3:PutObject"},
    }
    for fn in HANDLERS:
        resource = _statements(iam_template, fn)["CatalogSnapshots"]["Resource"]
        assert resource == {
            "Fn::Join": ["", [{"Fn::GetAtt": ["CatalogBucket", "Arn"]}, "/catalog/*"]]
        }


def test_the_api_reads_exactly_the_secrets_the_loader_asks_for(
    iam_template: dict[str, Any],
) -> None:
    from commerce.secrets import SECRET_PARAMETERS

    granted = {
        r["Fn::Sub"].rsplit("/", 1)[1]
        for r in _statements(iam_template, "api")["Secrets"]["Resource"]
    }
    assert granted == set(SECRET_PARAMETERS.values())


def test_the_events_function_reads_only_the_stripe_key_and_the_webhook_key(
    serverless_config: dict[str, Any], iam_template: dict[str, Any]
) -> None:
    env = serverless_config["functions"]["events"]["environment"]
    assert env["COMMERCE_PARAMETER_NAMES"] == "stripe-secret-key,webhook-secrets-key"
    granted = _statements(iam_template, "events")["Secrets"]["Resource"]
    assert [g["Fn::Sub"].rsplit("/", 1)[1] for g in granted] == [
        "stripe-secret-key",
        "webhook-secrets-key",
    ]


def test_the_jobs_function_reads_the_stripe_webhook_and_opt_out_keys_only(
    serverless_config: dict[str, Any], iam_template: dict[str, Any]
) -> None:
    env = serverless_config["functions"]["jobs"]["environment"]
    names = "stripe-secret-key,webhook-secrets-key,recovery-signing-key"
    assert env["COMMERCE_PARAMETER_NAMES"] == names
    granted = {
        r["Fn::Sub"].rsplit("/", 1)[1]
        for r in _statements(iam_template, "jobs")["Secrets"]["Resource"]
    }
    assert granted == {"stripe-secret-key", "webhook-secrets-key", "recovery-signing-key"}


def test_environment(serverless_config: dict[str, Any]) -> None:
    env = serverless_config["provider"]["environment"]
    assert env["COMMERCE_STAGE"] == "${sls:stage}"
    assert env["COMMERCE_TABLE_NAME"] == {"Ref": "CommerceTable"}
    assert env["COMMERCE_LOG_FORMAT"] == "json"
    api_env = serverless_config["functions"]["api"]["environment"]
    assert api_env["COMMERCE_GRAPHIQL"] == "${param:graphiql}"
    assert api_env["COMMERCE_PARAMETER_PREFIX"] == "/commerce/${sls:stage}"
    params = serverless_config["params"]
    assert params["prod"]["graphiql"] == "false"
    assert params["default"]["graphiql"] == "true"
    assert params["prod"]["tableDeletionProtection"] is True
    assert params["default"]["tableDeletionProtection"] is False


def test_handler_module_is_packaged_and_on_the_python_path(
    serverless_config: dict[str, Any],
) -> None:
    """The zip keeps src/commerce/...; PYTHONPATH must put /var/task/src first."""
    patterns = serverless_config["package"]["patterns"]
    assert patterns[0] == "!**"
    assert "src/commerce/**" in patterns
    pythonpath = serverless_config["provider"]["environment"]["PYTHONPATH"].split(":")
    assert pythonpath[0] == "/var/task/src"
    assert "/var/runtime" in pythonpath  # Lambda's own default, which the runtime needs


def test_python_requirements_plugin(serverless_config: dict[str, Any]) -> None:
    assert "serverless-python-requirements" in serverless_config["plugins"]
    options = serverless_config["custom"]["pythonRequirements"]
    assert options["dockerizePip"] is False
    assert options["fileName"] == "infra/lambda-requirements.txt"
    assert {"boto3", "botocore"} <= set(options["noDeploy"])
    args = " ".join(options["pipCmdExtraArgs"]).split()
    assert args[args.index("--platform") + 1] == "manylinux2014_aarch64"
    assert "--only-binary=:all:" in args
    runtime_version = serverless_config["provider"]["runtime"].removeprefix("python")
    assert args[args.index("--python-version") + 1] == runtime_version


def test_resources_include_the_infra_files(serverless_config: dict[str, Any]) -> None:
    included = {f"${{file(infra/{path.name})}}" for path in (REPO_ROOT / "infra").glob("*.yml")}
    assert set(serverless_config["resources"]) == included


def _requirements_script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "lambda-requirements.py"
    spec = importlib.util.spec_from_file_location("lambda_requirements", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lambda_requirements_are_generated_from_pyproject() -> None:
    """infra/lambda-requirements.txt is up to date: else run scripts/lambda-requirements.py."""
    script = _requirements_script()
    committed = (REPO_ROOT / "infra" / "lambda-requirements.txt").read_text(encoding="utf-8")
    assert committed == script.render()
    assert script.main(["--check"]) == 0


def test_lambda_requirements_check_fails_when_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _requirements_script()
    stale = tmp_path / "requirements.txt"
    stale.write_text("strawberry-graphql\n", encoding="utf-8")
    assert script.main(["--check", "--output", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert script.main(["--output", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == script.render()
    assert script.main(["--check", "--output", str(stale)]) == 0
