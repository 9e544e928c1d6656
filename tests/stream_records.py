"""DynamoDB Streams records as Lambda delivers them (NEW_AND_OLD_IMAGES)."""

from __future__ import annotations

import itertools
from typing import Any

from commerce.db.table import TableItem

ACCOUNT = "123456789012"
STREAM_ARN = (
    f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/commerce-dev/stream/2026-11-23T03:00:00.000"
)
_sequence = itertools.count(100000000000000000000001)


def image_of(item: TableItem) -> dict[str, Any]:
    """The item in DynamoDB's JSON, as a stream image carries it."""
    serialized: dict[str, Any] = item.serialize()
    return serialized


def stream_record(
    event_name: str,
    *,
    new: dict[str, Any] | None = None,
    old: dict[str, Any] | None = None,
    by_ttl: bool = False,
) -> dict[str, Any]:
    image = new or old or {}
    keys = {name: image[name] for name in ("PK", "SK") if name in image}
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": 1795406400.0,
        "Keys": keys,
        "SequenceNumber": str(next(_sequence)),
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        body["NewImage"] = new
    if old is not None:
        body["OldImage"] = old
    record: dict[str, Any] = {
        "eventID": "c81e728d9d4c2f636f067f89cc14862c",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": body,
        "eventSourceARN": STREAM_ARN,
    }
    if by_ttl:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def sequence_of(record: dict[str, Any]) -> str:
    number: str = record["dynamodb"]["SequenceNumber"]
    return number
