"""The DynamoDB call counter that proves requests make no N+1 calls (tests/dynamodb_calls.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from pynamodb.connection import Connection

from commerce.catalog import store
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.db.table import TableItem
from dynamodb_calls import count_dynamodb_calls

if TYPE_CHECKING:
    from commerce.composition import Services


def test_the_counter_sees_calls_from_worker_threads_and_new_connections_until_it_stops(
    services: Services,
) -> None:
    # given
    product = services.catalog.create_product(
        ProductDraft(title="Counted", variants=(VariantDraft(sku="COUNTED-1"),))
    )

    # when
    with count_dynamodb_calls() as calls:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda _: store.get_product_record(product.id), range(2)))
        made_now = Connection(region=TableItem.Meta.region, host=TableItem.Meta.host)
        made_now.describe_table(TableItem.Meta.table_name)
        counted_inside = calls.by_operation()
    store.get_product_record(product.id)

    # then
    assert counted_inside == {"Query": 2, "DescribeTable": 1}
    assert calls.by_operation() == counted_inside
