"""Which media type /graphql answers in, from the client's Accept header."""

from __future__ import annotations

import pytest

from commerce.web.negotiation import GRAPHQL_RESPONSE, JSON, negotiate


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        pytest.param(None, JSON, id="none"),
        pytest.param("", JSON, id="empty"),
        pytest.param(GRAPHQL_RESPONSE, GRAPHQL_RESPONSE, id="graphql-response"),
        pytest.param(JSON, JSON, id="json"),
        pytest.param("*/*", JSON, id="wildcard"),
        pytest.param("application/*", GRAPHQL_RESPONSE, id="application-wildcard"),
        pytest.param(f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE, id="spec-example"),
        pytest.param(f"{JSON}, {GRAPHQL_RESPONSE}", JSON, id="tie-first-wins"),
        pytest.param(f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON, id="quality-wins"),
        pytest.param(f"{GRAPHQL_RESPONSE};q=0, {JSON};q=0.1", JSON, id="q-zero-excluded"),
        pytest.param("Application/JSON", JSON, id="case-insensitive"),
        pytest.param("text/html, */*;q=0.8", JSON, id="browser"),
        pytest.param(f"*/*, {GRAPHQL_RESPONSE}", JSON, id="wildcard-first-wins"),
        pytest.param(f"*/*;q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE, id="named-type-wins"),
        pytest.param(f"{JSON};q=bogus, {GRAPHQL_RESPONSE};q=0.2", GRAPHQL_RESPONSE, id="bad-q"),
    ],
)
def test_the_best_acceptable_media_type_is_chosen(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize(
    "accept", ["text/plain", "text/html", "application/xml", f"{JSON};q=0", "image/*"]
)
def test_nothing_fits_when_no_json_type_is_acceptable(accept: str) -> None:
    assert negotiate(accept) is None
