"""AWS Lambda entry point: API Gateway HTTP API (v2) events into the ASGI app.

Importing this module is cheap: the app (Strawberry, PynamoDB, botocore) is
built on the first event, so the import cost the benchmark reports is only
what every invocation pays before it can run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mangum import Mangum

_adapter: Mangum | None = None


def _build() -> Mangum:
    from mangum import Mangum

    from commerce.app import create_app_from_env

    return Mangum(create_app_from_env(), lifespan="off", api_gateway_base_path="/")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Serve one HTTP API request."""
    global _adapter
    if _adapter is None:
        _adapter = _build()
    response: dict[str, Any] = _adapter(event, context)
    return response
