"""The one DynamoDB table, defined once for code, tests and ``infra/``.

Every entity is an item of ``TableItem``'s subclasses, told apart by the ``type``
discriminator. Keys are generic (``PK``/``SK`` plus two overloaded GSIs) so that
new access patterns need no new table; each context's ``store.py`` owns the key
formats of its items, and ``docs/data-model.md`` lists every access pattern.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

TTL_ATTRIBUTE = "ttl"
TYPE_ATTRIBUTE = "type"
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"


class GSI1(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """First overloaded index: catalog membership, lookups by secondary key."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class GSI2(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """Second overloaded index: listings that need another sort order."""

    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class TableItem(Model):
    """Base of every stored item; subclasses name themselves with a discriminator."""

    class Meta:
        table_name = "commerce"
        region = "us-east-1"
        host: str | None = None
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = STREAM_VIEW_TYPE
        # Requests are short; a stuck connection must fail fast, not hold a Lambda.
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    entity = DiscriminatorAttribute(attr_name=TYPE_ATTRIBUTE)
    ttl = TTLAttribute(null=True, attr_name=TTL_ATTRIBUTE)

    gsi1 = GSI1()
    gsi2 = GSI2()


def configure_table(table_name: str, region: str, host: str | None) -> None:
    """Point every item class at one table and endpoint (the composition root calls this)."""
    TableItem.Meta.table_name = table_name
    TableItem.Meta.region = region
    TableItem.Meta.host = host
    classes: list[type[Any]] = [TableItem, *_all_subclasses(TableItem)]
    for cls in classes:
        # PynamoDB caches a connection per class and only notices table-name changes.
        cls._connection = None


def _all_subclasses(cls: type[Any]) -> list[type[Any]]:
    found: list[type[Any]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def table_definition() -> dict[str, Any]:
    """The table as DynamoDB's CreateTable would describe it (keys, GSIs, TTL, stream).

    ``tests/integration/db`` compares this with ``infra/table.yml`` so the code and
    the deployed table cannot drift apart.
    """
    schema = TableItem._get_schema()
    return {
        "attribute_definitions": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
        ),
        "key_schema": sorted((k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]),
        "global_secondary_indexes": sorted(
            (
                index["index_name"],
                tuple(sorted((k["AttributeName"], k["KeyType"]) for k in index["key_schema"])),
                index["projection"]["ProjectionType"],
            )
            for index in schema["global_secondary_indexes"]
        ),
        "ttl_attribute": TTL_ATTRIBUTE,
        "stream_view_type": STREAM_VIEW_TYPE,
        "billing_mode": PAY_PER_REQUEST_BILLING_MODE,
    }


def create_table_if_missing() -> bool:
    """Create the table (with TTL enabled); True when it was created now."""
    if TableItem.exists():
        return False
    TableItem.create_table(wait=True)
    return True


def transaction() -> TransactWrite:
    """A TransactWrite on the configured endpoint (all-or-nothing, up to 100 items)."""
    # The table's own connection: a new one per write would build a new botocore client
    # each time (about 0.2 s of CPU) and ignore Meta's timeouts and retries.
    return TransactWrite(connection=TableItem._get_connection().connection)


# DynamoDB's own limit on the items of one TransactWriteItems call.
MAX_TRANSACTION_ITEMS = 100
# DynamoDB's own limit on the keys of one BatchGetItem call.
MAX_BATCH_GET_KEYS = 100
