"""Settings for tests over a table of their own, shared by the per-test fixture and by
test files that build one catalog for all their tests (module-scoped fixtures)."""

from __future__ import annotations

import uuid

from commerce.payments.local import LOCAL_SECRET_KEY
from commerce.settings import Secret, Settings


def fresh_settings(dynamodb_endpoint: str, stripe_api_base: str, webhook_secret: str) -> Settings:
    """Settings for a new table, and no catalog caching (every read is fresh).

    Limits are out of the way: budgets (rate limits) are off, since they add a DynamoDB
    call to every request that tests counting round trips do not expect, and the query
    cost limit is generous (staff helpers read whole catalogs in one query).
    ``tests/e2e/limits`` turns them on with production figures. Payments go to the
    localstripe at ``stripe_api_base``; webhooks are signed with ``webhook_secret``.
    A request's time budget is 30 s, not the 8 s of production: two test workers share
    two cores with their DynamoDB Local and localstripe processes, and a request that
    waits for the core is not what these tests are about (``tests/e2e/limits`` tests the
    budget itself with its own figure).
    """
    return Settings(
        table_name=f"test-{uuid.uuid4().hex[:12]}",
        dynamodb_endpoint=dynamodb_endpoint,
        catalog_cache_seconds=0,
        catalog_stale_seconds=0,
        graphiql=True,
        rate_limits=False,
        max_query_cost=1_000_000,
        stripe_secret_key=Secret(LOCAL_SECRET_KEY),
        stripe_webhook_secret=Secret(webhook_secret),
        stripe_api_base=stripe_api_base,
        request_timeout_seconds=30.0,
    )
