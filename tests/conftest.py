"""Fixtures shared by every test suite.

DynamoDB fixtures: ``dynamodb_endpoint`` is one DynamoDB Local server (in memory, 127.0.0.1
only) for the whole session. Set ``COMMERCE_TEST_DYNAMODB_ENDPOINT`` (e.g.
``http://127.0.0.1:8000``) to use a server that is already running instead of starting one;
set ``COMMERCE_DYNAMODB_LOCAL_DIR`` to the folder holding ``DynamoDBLocal.jar`` to use a jar
other than the one ``npm ci`` installs under ``node_modules``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from commerce.access.model import Scope
from commerce.app import create_app
from commerce.composition import Services, build_services
from commerce.db.local import DynamoDBLocal, find_jar_dir
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from commerce.settings import Settings
from graphql_caller import GraphQLCaller
from table_settings import fresh_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = REPO_ROOT / ".commerce" / "build"

# DynamoDB Local accepts any credentials, but keeps one database per access key and region:
# every test client must use these, and no test may ever reach real AWS.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def fake_aws_credentials() -> Iterator[dict[str, str]]:
    """Fake AWS credentials and region for the session, hiding any real profile or token."""
    # The function-scoped `monkeypatch` fixture is unusable here; its context manager is not.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        yield dict(FAKE_AWS_ENV)


def _jar_dir() -> Path:
    override = os.environ.get("COMMERCE_DYNAMODB_LOCAL_DIR")
    return Path(override) if override else find_jar_dir(REPO_ROOT)


@pytest.fixture(scope="session")
def dynamodb_local_jar_dir() -> Path:
    """Folder holding DynamoDBLocal.jar: $COMMERCE_DYNAMODB_LOCAL_DIR, else node_modules."""
    return _jar_dir()


@pytest.fixture(scope="session")
def dynamodb_endpoint(fake_aws_credentials: dict[str, str]) -> Iterator[str]:
    """Endpoint URL of the session's DynamoDB Local (or $COMMERCE_TEST_DYNAMODB_ENDPOINT)."""
    external = os.environ.get("COMMERCE_TEST_DYNAMODB_ENDPOINT")
    if external:
        # An already running server: no jar or Java needed.
        yield external
        return
    with DynamoDBLocal(jar_dir=_jar_dir(), build_dir=BUILD_DIR) as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[LocalStripe]:
    """The session's localstripe (a Stripe fake) on 127.0.0.1, state in memory only."""
    with LocalStripe(log_dir=BUILD_DIR) as server:
        yield server


# Signs the webhook payloads tests build, and the ones localstripe delivers.
WEBHOOK_SECRET = "whsec_test_secret"


# -- the service over a fresh table --------------------------------------------------------


@pytest.fixture
def settings(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Settings:
    """Settings for one test (see ``fresh_settings``)."""
    return fresh_settings(dynamodb_endpoint, stripe_server.endpoint, WEBHOOK_SECRET)


@pytest.fixture
def services(settings: Settings) -> Services:
    """Every service, over a freshly created, empty table."""
    built = build_services(settings)
    create_table_if_missing()
    return built


@pytest.fixture
def admin_key(services: Services) -> str:
    """The plaintext of an API key with the admin scope."""
    return services.access.create_key("test admin", frozenset({Scope.ADMIN})).plaintext


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """An HTTP client for the ASGI app, as frontends call it."""
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture
def gql(client: TestClient) -> GraphQLCaller:
    """Call the API the way a frontend does: POST /graphql, JSON in and out."""
    return GraphQLCaller(client)
