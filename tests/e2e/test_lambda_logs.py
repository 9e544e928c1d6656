"""The api function's log lines: JSON, one correlation id per request, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commerce import lambda_handler
from commerce.catalog.service import CatalogService
from commerce.composition import Services
from commerce.observability.logs import reset_logging
from commerce.settings import Settings

REQUEST_ID = "Rk7ERiKWIAMEVYQ="
API_KEY = "ck_abcdefgh_TOPSECRETKEYVALUE"
BEARER = "eyJhbGciOiJIUzI1NiJ9.SECRETPAYLOAD.SIGNATURE"


def post_graphql(body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    raw = json.dumps(body)
    return {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {
            "host": "k3x9q2w7ab.execute-api.us-east-1.amazonaws.com",
            "content-type": "application/json",
            "content-length": str(len(raw)),
            **headers,
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "k3x9q2w7ab",
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "storefront/3.2",
            },
            "requestId": REQUEST_ID,
            "routeKey": "POST /graphql",
            "stage": "$default",
            "timeEpoch": 1795425304000,
        },
        "body": raw,
        "isBase64Encoded": False,
    }


@pytest.fixture
def deployed_with_json_logs(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_STAGE", "prod")
    monkeypatch.setenv("COMMERCE_RATE_LIMITS", "off")
    monkeypatch.setenv("COMMERCE_LOG_FORMAT", "json")
    lambda_handler._adapter = None
    yield
    lambda_handler._adapter = None
    reset_logging()


@pytest.mark.usefixtures("deployed_with_json_logs")
def test_a_request_is_logged_as_json_with_its_id_and_without_its_credentials(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given a request carrying an API key and a bearer token (neither valid)
    event = post_graphql(
        {"query": "{ products(first: 1) { totalCount } }"},
        {"x-api-key": API_KEY, "authorization": f"Bearer {BEARER}"},
    )
    # when
    response = lambda_handler.handler(event, None)
    # then
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("message") == "request"]
    assert len(access) == 1
    assert access[0]["status"] == response["statusCode"]
    assert access[0]["method"] == "POST"
    assert access[0]["path"] == "/graphql"
    assert access[0]["service"] == "api"
    assert all(line["correlation_id"] == REQUEST_ID for line in lines)
    assert "TOPSECRET" not in out
    assert "SECRETPAYLOAD" not in out


@pytest.mark.usefixtures("deployed_with_json_logs")
def test_a_line_logged_deep_inside_a_request_carries_the_request_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a service failing unexpectedly under a resolver (run in a worker thread)
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the collections index is unreadable")

    monkeypatch.setattr(CatalogService, "list_collections", broken)
    event = post_graphql({"query": "{ collections(first: 1) { nodes { title } } }"}, {})
    # when
    response = lambda_handler.handler(event, None)
    # then the client sees only the request id, and the log line with the traceback has it
    body = json.loads(response["body"])
    assert body["errors"][0]["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": REQUEST_ID,
    }
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    failure = next(x for x in lines if x["message"] == "unexpected error in GraphQL execution")
    assert failure["correlation_id"] == REQUEST_ID
    assert "the collections index is unreadable" in failure["exception"]


def test_with_snapstart_the_app_is_built_before_the_snapshot(tmp_path: Path) -> None:
    # given the Lambda runtime's hook registry (snapshot_restore_py), as SnapStart provides it
    (tmp_path / "snapshot_restore_py.py").write_text(
        "before, after = [], []\n"
        "def register_before_snapshot(f): before.append(f)\n"
        "def register_after_restore(f): after.append(f)\n"
    )
    probe = (
        "import sys, snapshot_restore_py as hooks\n"
        "import commerce.lambda_handler as h\n"
        "assert 'strawberry' not in sys.modules and h._adapter is None\n"
        "for f in hooks.before: f()\n"
        "assert h._adapter is not None and 'strawberry' in sys.modules\n"
        "for f in hooks.after: f()\n"
        "print(len(hooks.before), len(hooks.after))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "COMMERCE_STAGE": "dev",
        "COMMERCE_DYNAMODB_ENDPOINT": "http://127.0.0.1:9",
    }
    # when the runtime publishes a version (before-snapshot hooks), then restores it
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1"]
