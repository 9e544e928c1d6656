"""Download grants in the single table.

Keys (see ``docs/data-model.md``):

- ``DOWNLOADS#<order id> / LINE#<line id>``: one grant per digital line, with the
  asset key, ``expires_at`` (epoch seconds, compared in conditions) and
  ``downloads_left``. All grants of an order share a partition, so the order's links
  are one Query, and a token (which names order and line) is one UpdateItem.
  ``ttl`` is 30 days after expiry: an expired link answers "expired" for a while,
  then "not found".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError

from commerce.db.table import TableItem

_KEEP_AFTER_EXPIRY = timedelta(days=30)
# BatchGetItem's limit on keys per call.
MAX_BATCH_GET_KEYS = 100


class DownloadGrantItem(TableItem, discriminator="DownloadGrant"):
    """One digital line's downloads."""

    order_id = UnicodeAttribute()
    line_id = UnicodeAttribute()
    title = UnicodeAttribute()
    asset_key = UnicodeAttribute()
    expires_at = NumberAttribute()
    downloads_left = NumberAttribute()
    # Epoch seconds of the first download (set once): review requests wait from it.
    first_downloaded_at = NumberAttribute(null=True)


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """A grant as stored (without its token, which is never stored)."""

    order_id: str
    line_id: str
    title: str
    asset_key: str
    expires_at: datetime
    downloads_left: int
    first_downloaded_at: datetime | None = None


def grants_pk(order_id: str) -> str:
    return f"DOWNLOADS#{order_id}"


def grant_sk(line_id: str) -> str:
    return f"LINE#{line_id}"


def _record(item: DownloadGrantItem) -> GrantRecord:
    return GrantRecord(
        order_id=item.order_id,
        line_id=item.line_id,
        title=item.title,
        asset_key=item.asset_key,
        expires_at=datetime.fromtimestamp(int(item.expires_at), UTC),
        downloads_left=int(item.downloads_left),
        first_downloaded_at=None
        if item.first_downloaded_at is None
        else datetime.fromtimestamp(int(item.first_downloaded_at), UTC),
    )


def add_grants(records: Iterable[GrantRecord]) -> None:
    """Store grants that do not exist yet; existing ones are left exactly as they are."""
    for record in records:
        item = DownloadGrantItem(
            pk=grants_pk(record.order_id),
            sk=grant_sk(record.line_id),
            order_id=record.order_id,
            line_id=record.line_id,
            title=record.title,
            asset_key=record.asset_key,
            expires_at=int(record.expires_at.timestamp()),
            downloads_left=record.downloads_left,
            ttl=record.expires_at + _KEEP_AFTER_EXPIRY,
        )
        try:
            # A second grant for the same line (a replayed payment event) changes nothing:
            # the first expiry and the downloads already used stand.
            item.save(condition=DownloadGrantItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise


def order_grants(order_id: str) -> list[GrantRecord]:
    """Every grant of an order, by line id (one strongly consistent Query)."""
    items = DownloadGrantItem.query(grants_pk(order_id), consistent_read=True)
    return [_record(item) for item in items if isinstance(item, DownloadGrantItem)]


def grants_of_lines(keys: Sequence[tuple[str, str]]) -> list[GrantRecord]:
    """The grants of these (order id, line id) pairs that exist: one strongly consistent
    BatchGetItem per 100, however many orders they span (a page of staff orders)."""
    wanted = [(grants_pk(order_id), grant_sk(line_id)) for order_id, line_id in keys]
    found: list[GrantRecord] = []
    for start in range(0, len(wanted), MAX_BATCH_GET_KEYS):
        chunk = wanted[start : start + MAX_BATCH_GET_KEYS]
        for item in DownloadGrantItem.batch_get(chunk, consistent_read=True):
            if isinstance(item, DownloadGrantItem):
                found.append(_record(item))
    return sorted(found, key=lambda r: (r.order_id, r.line_id))


def get_grant(order_id: str, line_id: str) -> GrantRecord | None:
    """One grant, strongly consistent."""
    try:
        item = DownloadGrantItem.get(grants_pk(order_id), grant_sk(line_id), consistent_read=True)
    except DownloadGrantItem.DoesNotExist:
        return None
    return _record(item)


def take_download(order_id: str, line_id: str, now: datetime) -> GrantRecord | None:
    """Count one download if the grant is live; None (nothing changed) otherwise.

    One UpdateItem with the condition ``downloads_left > 0 AND expires_at > now``: two
    simultaneous clicks on a link with one download left deliver the file once.
    """
    item = DownloadGrantItem(pk=grants_pk(order_id), sk=grant_sk(line_id))
    try:
        item.update(
            actions=[
                DownloadGrantItem.downloads_left.add(-1),
                DownloadGrantItem.first_downloaded_at.set(
                    DownloadGrantItem.first_downloaded_at | int(now.timestamp())
                ),
            ],
            condition=(
                DownloadGrantItem.pk.exists()
                & (DownloadGrantItem.downloads_left > 0)
                & (DownloadGrantItem.expires_at > int(now.timestamp()))
            ),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return _record(item)


def end_grants(order_id: str) -> None:
    """No more downloads for this order (it was refunded)."""
    for record in order_grants(order_id):
        item = DownloadGrantItem(pk=grants_pk(order_id), sk=grant_sk(record.line_id))
        try:
            item.update(
                actions=[DownloadGrantItem.downloads_left.set(0)],
                condition=DownloadGrantItem.pk.exists(),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
