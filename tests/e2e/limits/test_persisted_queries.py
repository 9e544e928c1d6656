"""Automatic persisted queries (Apollo's protocol) and the allow-list mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from limits_helpers import CHEAP, GRAPHQL_RESPONSE, JSON, codes, post
from starlette.testclient import TestClient

from commerce.cli import main
from commerce.composition import Services
from commerce.operations.model import sha256_of
from commerce.settings import Settings
from dynamodb_calls import count_dynamodb_calls

HASH = sha256_of(CHEAP)


def persisted(sha256: str = HASH) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


def test_a_hash_alone_answers_persisted_query_not_found_until_registered(
    limited: TestClient,
) -> None:
    # when a client sends the hash of a document the server never saw
    miss = post(limited, {"extensions": persisted()})
    # then it is told to send the document
    assert miss.status_code == 400
    assert miss.json()["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    # when it sends the document with its hash
    registered = post(limited, {"query": CHEAP, "extensions": persisted()})
    # then it runs, and the hash alone works from now on, by POST or GET
    assert registered.status_code == 200
    assert "nodes" in registered.json()["data"]["products"]
    hit = post(limited, {"extensions": persisted()})
    assert hit.json()["data"] == registered.json()["data"]
    by_get = limited.get(
        "/graphql",
        params={"extensions": json.dumps(persisted())},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert by_get.status_code == 200
    assert by_get.json()["data"] == registered.json()["data"]


def test_a_miss_under_application_json_answers_200(limited: TestClient) -> None:
    response = post(limited, {"extensions": persisted()}, accept=JSON)
    assert response.status_code == 200
    assert codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_a_document_that_does_not_match_its_hash_is_refused_and_not_kept(
    limited: TestClient,
) -> None:
    # when
    wrong = post(limited, {"query": CHEAP, "extensions": persisted("a" * 64)})
    # then
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == [
        {
            "message": "The query does not hash to extensions.persistedQuery.sha256Hash",
            "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"},
        }
    ]
    assert codes(post(limited, {"extensions": persisted("a" * 64)}).json()) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]


@pytest.mark.parametrize(
    "extensions",
    [{"persistedQuery": {"version": 2, "sha256Hash": HASH}}, {"persistedQuery": {"version": 1}}],
)
def test_a_malformed_persisted_query_is_a_bad_request(
    limited: TestClient, extensions: dict[str, object]
) -> None:
    response = post(limited, {"extensions": extensions})
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_REQUEST"]


def test_a_registered_hash_is_found_again_without_dynamodb_on_a_warm_instance(
    make_client: Callable[..., TestClient],
) -> None:
    # given a warm instance whose catalog view is fresh (the tests' default of 0 s would
    # check the catalog's snapshot pointer, a GetItem, on every request)
    limited = make_client(catalog_cache_seconds=60)
    post(limited, {"query": CHEAP, "extensions": persisted()})
    # when
    with count_dynamodb_calls() as calls:
        post(limited, {"extensions": persisted()})
    # then: at most the budget's UpdateItem
    assert "GetItem" not in calls.by_operation()


# -- allow-list mode ------------------------------------------------------------------------


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({HASH: CHEAP}), encoding="utf-8")
    return path


@pytest.fixture
def cli_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("AWS_REGION", settings.region)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.usefixtures("cli_environment")
def test_allow_list_mode_runs_only_operations_registered_from_the_manifest(
    make_client: Callable[..., TestClient],
    manifest: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given the client build's manifest, registered by the CLI
    assert main(["operations", "register", str(manifest)]) == 0
    assert "Registered 1 operations" in capsys.readouterr().out
    client = make_client(persisted_queries_only=True)
    # when the app runs a registered operation, by hash or in full
    by_hash = post(client, {"extensions": persisted()})
    in_full = post(client, {"query": CHEAP})
    # and any other operation, even one a client tries to register
    other = "{ products(first: 1) { nodes { handle } } }"
    refused = post(client, {"query": other})
    self_registered = post(client, {"query": other, "extensions": persisted(sha256_of(other))})
    # then
    assert by_hash.status_code == in_full.status_code == 200
    assert refused.status_code == self_registered.status_code == 400
    message = (
        "Only operations registered from a client build run here; "
        "register this one with `commerce operations register`"
    )
    for response in (refused, self_registered):
        assert response.json()["errors"] == [
            {"message": message, "extensions": {"code": "OPERATION_NOT_ALLOWED"}}
        ]
    # and the CLI lists the registered operation
    assert main(["operations", "list"]) == 0
    assert HASH in capsys.readouterr().out


def test_in_allow_list_mode_staff_keys_may_run_any_operation(
    make_client: Callable[..., TestClient], admin_key: str
) -> None:
    client = make_client(persisted_queries_only=True)
    response = post(client, {"query": CHEAP}, headers={"X-API-Key": admin_key})
    assert response.status_code == 200


@pytest.mark.usefixtures("cli_environment")
def test_a_manifest_with_a_wrong_hash_registers_nothing(
    tmp_path: Path, services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({HASH: CHEAP, "b" * 64: CHEAP}), encoding="utf-8")
    # when
    code = main(["operations", "register", str(path)])
    # then
    assert code == 1
    assert "does not hash to its key; nothing was registered" in capsys.readouterr().err
    assert services.operations.list_operations() == []
