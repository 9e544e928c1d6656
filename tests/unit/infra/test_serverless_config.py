"""serverless.yml: the Lambda entry point, its routes, runtime, IAM and packaging."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

ALLOWED_DYNAMODB_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(config: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = config["provider"]["iam"]["role"]["statements"]
    return statements


def test_api_function_handler(serverless_config: dict[str, Any]) -> None:
    assert serverless_config["service"] == "commerce"
    api = serverless_config["functions"]["api"]
    assert api["handler"] == "commerce.lambda_handler.handler"


def test_api_function_routes(serverless_config: dict[str, Any]) -> None:
    events = serverless_config["functions"]["api"]["events"]
    routes = set()
    for event in events:
        http = event["httpApi"]
        routes.add(http if isinstance(http, str) else f"{http['method']} {http['path']}")
    assert routes == {"GET /graphql", "POST /graphql", "GET /health"}


def test_runtime_and_architecture(serverless_config: dict[str, Any]) -> None:
    provider = serverless_config["provider"]
    assert provider["name"] == "aws"
    match = re.fullmatch(r"python3\.(\d+)", provider["runtime"])
    assert match, provider["runtime"]
    assert int(match.group(1)) >= 12
    assert provider["architecture"] == "arm64"


def test_no_iam_statement_on_every_resource(serverless_config: dict[str, Any]) -> None:
    for statement in _statements(serverless_config):
        for resource in _as_list(statement["Resource"]):
            assert resource != "*", statement
            assert not (isinstance(resource, str) and resource.endswith(":*")), statement


def test_iam_grants_only_the_item_operations_on_the_table(
    serverless_config: dict[str, Any],
) -> None:
    table_arn = {"Fn::GetAtt": ["CommerceTable", "Arn"]}
    index_arns = {"Fn::Join": ["", [table_arn, "/index/*"]]}
    granted: set[str] = set()
    for statement in _statements(serverless_config):
        assert statement["Effect"] == "Allow"
        actions = set(_as_list(statement["Action"]))
        assert all(action.startswith("dynamodb:") for action in actions), actions
        assert _as_list(statement["Resource"]) == [table_arn, index_arns]
        granted |= actions
    assert granted == ALLOWED_DYNAMODB_ACTIONS


def test_environment(serverless_config: dict[str, Any]) -> None:
    env = serverless_config["provider"]["environment"]
    assert env["COMMERCE_STAGE"] == "${sls:stage}"
    assert env["COMMERCE_TABLE_NAME"] == {"Ref": "CommerceTable"}
    assert env["COMMERCE_GRAPHIQL"] == "${param:graphiql}"
    params = serverless_config["params"]
    assert params["prod"]["graphiql"] == "false"
    assert params["default"]["graphiql"] == "true"
    assert params["prod"]["tableDeletionProtection"] is True
    assert params["default"]["tableDeletionProtection"] is False


def test_handler_module_is_packaged_and_on_the_python_path(
    serverless_config: dict[str, Any],
) -> None:
    """The zip keeps src/commerce/...; PYTHONPATH must put /var/task/src first."""
    module, _, function = serverless_config["functions"]["api"]["handler"].rpartition(".")
    source = Path("src", *module.split(".")).with_suffix(".py")
    assert (REPO_ROOT / source).is_file(), f"{source} is missing"
    patterns = serverless_config["package"]["patterns"]
    assert patterns[0] == "!**"
    assert "src/commerce/**" in patterns
    pythonpath = serverless_config["provider"]["environment"]["PYTHONPATH"].split(":")
    assert pythonpath[0] == "/var/task/src"
    assert "/var/runtime" in pythonpath  # Lambda's own default, which the runtime needs
    assert function == "handler"


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
    assert "${file(infra/table.yml)}" in serverless_config["resources"]


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
