"""A client build's manifest of operations: every hash is checked before anything is kept."""

from __future__ import annotations

import pytest

from commerce.operations.model import InvalidManifest, parse_manifest, sha256_of

QUERY = "query Home { products(first: 5) { nodes { title } } }"


def test_a_plain_manifest_maps_hashes_to_documents() -> None:
    assert parse_manifest({sha256_of(QUERY): QUERY}) == {sha256_of(QUERY): QUERY}


def test_apollo_persisted_query_manifests_are_read_too() -> None:
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256_of(QUERY), "name": "Home", "type": "query", "body": QUERY}],
    }
    assert parse_manifest(manifest) == {sha256_of(QUERY): QUERY}


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        ({"0" * 64: QUERY}, "does not hash to its key"),
        ({"not-a-hash": QUERY}, "is not a sha256 with a document"),
        ({}, "holds no operations"),
        ([QUERY], "a manifest is a JSON object"),
    ],
)
def test_a_manifest_with_any_bad_entry_is_refused_whole(manifest: object, reason: str) -> None:
    with pytest.raises(InvalidManifest, match=reason):
        parse_manifest(manifest)
