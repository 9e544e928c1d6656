"""Instances follow the published catalog snapshot: they list what the events function
published, see nothing of a change before, and keep their last good view when a
snapshot cannot be loaded."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import create_product, listed_titles, local_id
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.catalog import store
from commerce.composition import Services, build_services
from commerce.events.consumers import Consumers
from commerce.events.handler import consume_batch
from commerce.observability.metrics import Metrics
from commerce.settings import Settings
from graphql_caller import GraphQLCaller
from stream_records import batch, stream_record


@pytest.fixture
def published(settings: Settings, tmp_path: Path) -> Settings:
    """Settings as on AWS: only the events function publishes snapshots."""
    return dataclasses.replace(settings, catalog_publishing="events", data_dir=tmp_path)


@pytest.fixture
def staff(published: Settings, services: Services) -> Services:
    return build_services(published)


@pytest.fixture
def gql(staff: Services) -> Iterator[GraphQLCaller]:
    """The staff's instance: its changes publish nothing (the stream does)."""
    with TestClient(create_app(staff)) as client:
        yield GraphQLCaller(client)


@pytest.fixture
def shop(published: Settings, staff: Services) -> Iterator[GraphQLCaller]:
    """Another instance of the API: it only ever reads the published snapshots."""
    with TestClient(create_app(build_services(published))) as client:
        yield GraphQLCaller(client)


def product_changed(product_id: str, seconds_ago: float = 0) -> dict[str, Any]:
    """The stream record of a product written ``seconds_ago``."""
    image = {"PK": {"S": f"PRODUCT#{product_id}"}, "SK": {"S": "PRODUCT"}, "type": {"S": "Product"}}
    record = stream_record("INSERT", new=image)
    record["dynamodb"]["ApproximateCreationDateTime"] = time.time() - seconds_ago
    return record


def deliver(staff: Services, *records: dict[str, Any]) -> dict[str, Any]:
    return consume_batch(
        batch(*records), Consumers(staff, Metrics("Test", "events")), Metrics("Test", "events")
    )


def test_an_instance_lists_a_new_product_once_the_events_function_published_it(
    gql: GraphQLCaller, admin_key: str, staff: Services, shop: GraphQLCaller
) -> None:
    # given an instance that has listed the catalog once
    assert listed_titles(shop) == []
    # when staff add a product, before and after its stream record is consumed
    product = create_product(gql, admin_key, title="The Long Tide", published=True)
    before = listed_titles(shop)
    outcome = deliver(staff, product_changed(local_id(product["id"])))
    after = listed_titles(shop)
    # then
    assert before == []
    assert outcome == {"batchItemFailures": []}
    assert after == ["The Long Tide"]


def test_a_burst_of_catalog_changes_publishes_one_snapshot(
    gql: GraphQLCaller, admin_key: str, staff: Services, shop: GraphQLCaller
) -> None:
    # given three products written together
    ids = [
        local_id(create_product(gql, admin_key, title=f"Burst {n}", published=True)["id"])
        for n in range(3)
    ]
    records = [product_changed(i, seconds_ago=2) for i in ids]
    # when their records arrive in one batch, and the first one once more (a retry)
    deliver(staff, *records)
    published_once = store.get_snapshot_pointer()
    deliver(staff, records[0])
    # then one snapshot holds all three, and a record already covered publishes nothing
    assert published_once is not None
    assert published_once.product_count == 3
    assert store.get_snapshot_pointer() == published_once
    assert listed_titles(shop) == ["Burst 0", "Burst 1", "Burst 2"]


def test_a_snapshot_that_cannot_be_loaded_leaves_the_last_good_listing_in_place(
    gql: GraphQLCaller,
    admin_key: str,
    staff: Services,
    shop: GraphQLCaller,
    published: Settings,
) -> None:
    # given an instance showing one product
    first = create_product(gql, admin_key, title="Kept", published=True)
    deliver(staff, product_changed(local_id(first["id"])))
    assert listed_titles(shop) == ["Kept"]
    # when the next snapshot's file is lost before the instance reads it
    create_product(gql, admin_key, title="Lost", published=True)
    broken = staff.catalog.publish_snapshot()
    folder = published.data_dir / "catalog" / published.table_name
    (folder / broken.file_key).unlink()
    during = [listed_titles(shop) for _ in range(3)]
    # and a good one is published after that
    staff.catalog.publish_snapshot()
    within_backoff = listed_titles(shop)
    time.sleep(1.1)
    after_backoff = listed_titles(shop)
    # then shoppers kept the last good listing, and the instance caught up after its backoff
    assert during == [["Kept"]] * 3
    assert within_backoff == ["Kept"]
    assert after_backoff == ["Kept", "Lost"]
