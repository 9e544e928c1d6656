"""The bytes and headers of an answer: compact JSON, spliced extensions, caching headers.

Answers are encoded once and then handled as bytes, so the response cache can keep them
and each request's own figures (its cost, its budget) can be added without decoding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from commerce.limits.model import Decision

# Personal answers (and every refusal) must never be kept by a browser, proxy or CDN.
NO_STORE = {"Cache-Control": "private, no-store"}


def encode(payload: object) -> bytes:
    """Compact UTF-8 JSON; values JSON cannot hold (``Decimal``) as their text."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def with_extensions(body: bytes, extensions: Mapping[str, Any] | None) -> bytes:
    """``body`` (a JSON object without ``extensions``) with per-request extensions added.

    Splicing bytes, not decoding and re-encoding: a cached 50-product page is tens of
    kilobytes that need not be parsed again to add a few figures.
    """
    if not extensions:
        return body
    return body[:-1] + b',"extensions":' + encode(extensions) + b"}"


def cost_extensions(decision: Decision, requested: int | None = None) -> dict[str, Any]:
    """Shopify's ``extensions.cost``: what this request costs and what the caller has left.

    ``requested``: one operation's share of a batch, reported beside the batch's charge.
    """
    throttle = decision.throttle
    rate = throttle.restore_rate
    return {
        "cost": {
            "requestedQueryCost": decision.cost if requested is None else requested,
            "throttleStatus": {
                "maximumAvailable": throttle.maximum_available,
                "currentlyAvailable": throttle.currently_available,
                "restoreRate": int(rate) if rate == int(rate) else rate,
            },
        }
    }


def cache_control(*, public: bool, max_age: int) -> dict[str, str]:
    """Caching headers: shared caches may keep public catalog reads, nothing else.

    ``Vary`` keeps a CDN from answering a JSON client with a cached
    graphql-response body, or a key holder with an anonymous one.
    """
    if public:
        return {"Cache-Control": f"public, max-age={max_age}", "Vary": "Accept, X-API-Key"}
    return dict(NO_STORE)


def body_response(
    body: bytes,
    status: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An encoded answer, carrying the request id that ties it to the server's log."""
    all_headers = {"X-Request-Id": request_id, **(headers or {})}
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)


def json_response(
    payload: Mapping[str, Any] | list[Mapping[str, Any]],
    status: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A payload encoded as every GraphQL answer is, carrying the request id."""
    return body_response(encode(payload), status, media_type, request_id, headers)
