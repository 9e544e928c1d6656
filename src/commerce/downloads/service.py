"""Download use cases: grant links for a paid order, list them, redeem one.

Grants are made when the order context learns an order is paid
(``OrdersService.payment_succeeded`` calls ``grant_for_order``); calling again for the
same order (a replayed event) returns the same grants, their clocks and counters
untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from commerce.catalog.model import Product, VariantKind
from commerce.catalog.service import CatalogService
from commerce.downloads import store
from commerce.downloads.files import FileSource, LocalFile, Redirect
from commerce.downloads.model import (
    DownloadGrant,
    DownloadRefusal,
    DownloadRefused,
    PurchasedLine,
    download_title,
    read_token,
    sign_grant,
)

log = logging.getLogger("commerce.downloads")


class DownloadsNotConfigured(RuntimeError):
    """No signing key: links cannot be made safely (COMMERCE_DOWNLOAD_SIGNING_KEY)."""


# Told of a line's first download: (order id, line id, when).
FirstDownload = Callable[[str, str, datetime], None]


class DownloadsService:
    """Links to the files of paid digital lines, each valid for a time and a count."""

    def __init__(
        self,
        catalog: CatalogService,
        files: FileSource,
        *,
        signing_key: str,
        link_seconds: int,
        max_downloads: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._catalog = catalog
        self._files = files
        self._key = signing_key.encode()
        self._lifetime = timedelta(seconds=link_seconds)
        self._max = max_downloads
        self._clock = clock
        self._first_download_listeners: list[FirstDownload] = []

    def follow_first_downloads(self, listener: FirstDownload) -> None:
        """Call ``listener(order id, line id, when)`` after a line's first download.

        The composition root wires the reviews' request schedule here: downloads know
        nothing of reviews, and a listener's failure never costs the shopper the file.
        """
        self._first_download_listeners.append(listener)

    def grant_for_order(self, order_id: str, lines: Sequence[PurchasedLine]) -> list[DownloadGrant]:
        """Grants for the order's digital lines (idempotent: existing grants stand)."""
        self._require_key()
        digital = [line for line in lines if line.kind is VariantKind.DIGITAL]
        if digital:
            products = self._catalog.products(
                sorted({line.product_id for line in digital}), include_unpublished=True
            )
            expires_at = self._clock() + self._lifetime
            records = []
            for line in digital:
                asset_key = _asset_key(products.get(line.product_id), line.variant_id)
                if asset_key is None:
                    # Sold without a file: staff must add one; the rest are granted.
                    log.warning(
                        "order %s line %s: variant %s has no asset key; no download link",
                        order_id,
                        line.id,
                        line.variant_id,
                    )
                    continue
                records.append(
                    store.GrantRecord(
                        order_id=order_id,
                        line_id=line.id,
                        title=download_title(line),
                        asset_key=asset_key,
                        expires_at=expires_at,
                        # Each copy bought brings its own allowance (gift copies, devices).
                        downloads_left=self._max * line.quantity,
                    )
                )
            store.add_grants(records)
        return self.links(order_id)

    def links(self, order_id: str) -> list[DownloadGrant]:
        """Every download of an order, with its link token (empty before payment)."""
        if not self._key:
            return []
        return [self._grant(record) for record in store.order_grants(order_id)]

    def links_of_lines(self, keys: Sequence[tuple[str, str]]) -> list[DownloadGrant]:
        """The downloads of these (order id, digital line id) pairs, in one batched read."""
        if not self._key or not keys:
            return []
        return [self._grant(record) for record in store.grants_of_lines(keys)]

    def end_downloads(self, order_id: str) -> None:
        """Stop an order's links (a full refund): they answer "limit reached" from now on."""
        store.end_grants(order_id)

    def redeem(self, token: str) -> tuple[LocalFile | Redirect, DownloadGrant]:
        """Count one download and hand over the file; ``DownloadRefused`` changes nothing."""
        named = read_token(self._key, token) if self._key else None
        if named is None:
            raise DownloadRefused(DownloadRefusal.NOT_FOUND, "This download link is not valid.")
        order_id, line_id = named
        current = store.get_grant(order_id, line_id)
        if current is None:
            raise DownloadRefused(DownloadRefusal.NOT_FOUND, "This download link is not valid.")
        if not self._files.exists(current.asset_key):
            log.error("download %s/%s: file %s is missing", order_id, line_id, current.asset_key)
            raise DownloadRefused(
                DownloadRefusal.FILE_MISSING, "The file is not available; the store was told."
            )
        now = self._clock()
        taken = store.take_download(order_id, line_id, now)
        if taken is None:
            raise self._refusal(order_id, line_id, now)
        if taken.first_downloaded_at == now.replace(microsecond=0):
            self._first_download(order_id, line_id, now)
        filename = taken.asset_key.rsplit("/", 1)[-1]
        return self._files.deliver(taken.asset_key, filename), self._grant(taken)

    def _first_download(self, order_id: str, line_id: str, now: datetime) -> None:
        for listener in self._first_download_listeners:
            try:
                listener(order_id, line_id, now)
            except Exception:
                log.exception("first download of %s/%s: a listener failed", order_id, line_id)

    def _refusal(self, order_id: str, line_id: str, now: datetime) -> DownloadRefused:
        record = store.get_grant(order_id, line_id)
        if record is None:
            return DownloadRefused(DownloadRefusal.NOT_FOUND, "This download link is not valid.")
        if record.expires_at <= now:
            return DownloadRefused(DownloadRefusal.EXPIRED, "This download link has expired.")
        return DownloadRefused(
            DownloadRefusal.USED_UP, "This download link has been used as often as it allows."
        )

    def _grant(self, record: store.GrantRecord) -> DownloadGrant:
        return DownloadGrant(
            order_id=record.order_id,
            line_id=record.line_id,
            title=record.title,
            asset_key=record.asset_key,
            expires_at=record.expires_at,
            downloads_left=record.downloads_left,
            token=sign_grant(self._key, record.order_id, record.line_id),
        )

    def _require_key(self) -> None:
        if not self._key:
            raise DownloadsNotConfigured("COMMERCE_DOWNLOAD_SIGNING_KEY is not set")


def _asset_key(product: Product | None, variant_id: str) -> str | None:
    if product is not None:
        for variant in product.variants:
            if variant.id == variant_id:
                return variant.asset_key
    return None
