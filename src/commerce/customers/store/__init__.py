"""Customer profiles, addresses and marketing facts in the single table, one module each.

Every item of a customer lives in the partition ``CUSTOMER#<id>`` (``customer_pk``), so
one Query reads a customer's addresses and one BatchGetItem the profile and marketing
facts. Log-in records (sessions, refresh tokens, reset codes, failure counters) are
identity's: see ``commerce.customers.identity.store``.
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError, UpdateError


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def failed_condition(exc: PutError | UpdateError | DeleteError) -> bool:
    """Whether a write failed on its condition (as opposed to a throttle or an outage)."""
    return exc.cause_response_code == "ConditionalCheckFailedException"
