"""DynamoDB Streams records as plain values.

A record's images arrive in DynamoDB's JSON (``{"S": "..."}``); boto3's
``TypeDeserializer`` turns them into Python values (numbers become ``Decimal``).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from commerce.db.table import TYPE_ATTRIBUTE

# TTL deletions are made by the DynamoDB service itself and say so in the record.
TTL_PRINCIPAL = "dynamodb.amazonaws.com"

_deserializer = TypeDeserializer()


class Change(enum.StrEnum):
    INSERT = "INSERT"
    MODIFY = "MODIFY"
    REMOVE = "REMOVE"


class MalformedRecord(ValueError):
    """A record without the fields every DynamoDB stream record has."""


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One change to one item."""

    sequence_number: str
    change: Change
    item_type: str | None
    keys: dict[str, Any]
    new_image: dict[str, Any]
    old_image: dict[str, Any]
    removed_by_ttl: bool
    # When DynamoDB wrote the change (epoch seconds, as the stream gives it); None if absent.
    approximate_created: float | None = None


def sequence_number_of(raw: object) -> str | None:
    """The record's sequence number, the id Lambda expects in ``batchItemFailures``."""
    if not isinstance(raw, dict):
        return None
    body = raw.get("dynamodb")
    number = body.get("SequenceNumber") if isinstance(body, dict) else None
    return number if isinstance(number, str) and number else None


def parse(raw: object) -> StreamRecord:
    """The record as plain values; ``MalformedRecord`` if it is not a stream record."""
    number = sequence_number_of(raw)
    if number is None or not isinstance(raw, dict):
        raise MalformedRecord("no dynamodb.SequenceNumber")
    try:
        change = Change(str(raw.get("eventName")))
    except ValueError:
        raise MalformedRecord(f"unknown eventName {raw.get('eventName')!r}") from None
    body = raw["dynamodb"]
    try:
        keys = _image(body.get("Keys"))
        new_image = _image(body.get("NewImage"))
        old_image = _image(body.get("OldImage"))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise MalformedRecord(f"undecodable image: {exc}") from None
    identity = raw.get("userIdentity")
    by_service = (
        isinstance(identity, dict)
        and identity.get("type") == "Service"
        and identity.get("principalId") == TTL_PRINCIPAL
    )
    image = new_image or old_image
    item_type = image.get(TYPE_ATTRIBUTE)
    return StreamRecord(
        sequence_number=number,
        change=change,
        item_type=item_type if isinstance(item_type, str) else None,
        keys=keys,
        new_image=new_image,
        old_image=old_image,
        removed_by_ttl=change is Change.REMOVE and by_service,
        approximate_created=_seconds(body.get("ApproximateCreationDateTime")),
    )


def _seconds(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _image(raw: object) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise TypeError("an image is a map of attributes")
    return {str(name): _deserializer.deserialize(value) for name, value in raw.items()}
