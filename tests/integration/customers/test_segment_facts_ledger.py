"""The lifetime value the events function keeps is a ledger: whatever order the stream
brings payments, refunds and redeliveries in, it equals the sum of each order's net
paid value, and what was bought from is the union of the orders' products.

Over DynamoDB Local (one table for the module), a fresh customer per example; fixed
seed and bounded examples so ``make test`` is deterministic.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.composition import build_services
from commerce.customers.model import PurchaseHistory
from commerce.customers.store import marketing
from commerce.db.table import create_table_if_missing
from commerce.money import Currency
from commerce.settings import Settings

LEDGER = settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SERIES = ["emberfall", "lantern street", "tidewater"]


@pytest.fixture(scope="module")
def table(dynamodb_endpoint: str) -> None:
    build_services(
        Settings(table_name=f"test-{uuid.uuid4().hex[:12]}", dynamodb_endpoint=dynamodb_endpoint)
    )
    create_table_if_missing()


# An event: (order number, paid minor units, refunded minor units so far, its series).
events = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.integers(1, 5000),
        st.integers(0, 6000),
        st.sampled_from(SERIES),
        st.booleans(),  # replayed: the same record delivered again right after
    ),
    min_size=1,
    max_size=12,
)


def _history(customer_id: str) -> PurchaseHistory:
    found = [
        i
        for i in marketing.MarketingItem.batch_get(
            [(f"CUSTOMER#{customer_id}", marketing.MARKETING_SK)]
        )
    ]
    return marketing._history(found[0]) if found else PurchaseHistory()


@LEDGER
@given(sequence=events)
def test_the_lifetime_value_is_the_sum_of_each_order_s_net_value(
    table: None, sequence: list[tuple[int, int, int, str, bool]]
) -> None:
    customer_id = uuid.uuid4().hex
    # Each order is paid once at one amount, whatever later events say of it.
    paid: dict[int, int] = {}
    series: dict[int, str] = {}
    net: dict[int, int] = {}
    for number, amount, refunded, name, replayed in sequence:
        paid.setdefault(number, amount)
        series.setdefault(number, name)
        latest = max(paid[number] - min(refunded, paid[number]), 0)
        # Refunds only grow: an older state of the order is never delivered after a newer.
        latest = min(latest, net.get(number, latest))
        net[number] = latest
        bought = marketing.BoughtFrom(series=frozenset({series[number]}))
        for _ in range(2 if replayed else 1):
            marketing.count_order_value(customer_id, f"o{number}", Currency.USD, latest, bought)
    history = _history(customer_id)
    assert dict(history.lifetime_value) == {Currency.USD: sum(net.values())}
    assert history.series == frozenset(series.values())
