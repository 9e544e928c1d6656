"""Download grants over DynamoDB Local: made once per paid line, expiring, counted."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import OptionValue, VariantKind
from commerce.composition import Services
from commerce.downloads.files import LocalFile, LocalFiles
from commerce.downloads.model import DownloadRefusal, DownloadRefused
from commerce.downloads.service import DownloadsNotConfigured, DownloadsService
from commerce.money import Currency, Money


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclasses.dataclass(frozen=True)
class Line:
    """An order line as the orders context snapshots it (only what grants read)."""

    id: str
    product_id: str
    variant_id: str
    kind: VariantKind
    title: str = "Dune"
    variant_title: str = "E-book"
    quantity: int = 1


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    (folder / "ebooks").mkdir(parents=True)
    (folder / "ebooks" / "dune.txt").write_text("Dune, the e-book")
    return folder


@pytest.fixture
def downloads(services: Services, files: Path, clock: Clock) -> DownloadsService:
    return DownloadsService(
        services.catalog,
        LocalFiles(files),
        signing_key="test-signing-key",
        link_seconds=3600,
        max_downloads=2,
        clock=clock,
    )


@pytest.fixture
def lines(services: Services) -> list[Line]:
    """A paid order's lines: an e-book with a file, a hardcover, an e-book without one."""
    product = services.catalog.create_product(
        ProductDraft(
            title="Dune",
            published=True,
            variants=(
                VariantDraft(
                    sku="DUNE-EB",
                    options=(OptionValue("Format", "E-book"),),
                    prices=(Money(999, Currency.USD),),
                    kind=VariantKind.DIGITAL,
                    asset_key="ebooks/dune.txt",
                ),
                VariantDraft(
                    sku="DUNE-HC",
                    options=(OptionValue("Format", "Hardcover"),),
                    prices=(Money(2999, Currency.USD),),
                    initial_stock=3,
                ),
                VariantDraft(
                    sku="DUNE-AB",
                    options=(OptionValue("Format", "Audiobook"),),
                    prices=(Money(1999, Currency.USD),),
                    kind=VariantKind.DIGITAL,
                ),
            ),
        )
    )
    ebook, hardcover, audiobook = product.variants
    return [
        Line("l1", product.id, ebook.id, VariantKind.DIGITAL),
        Line("l2", product.id, hardcover.id, VariantKind.PHYSICAL, variant_title="Hardcover"),
        Line("l3", product.id, audiobook.id, VariantKind.DIGITAL, variant_title="Audiobook"),
    ]


def test_a_paid_orders_digital_lines_with_a_file_get_one_link_each(
    downloads: DownloadsService, lines: list[Line], clock: Clock
) -> None:
    grants = downloads.grant_for_order("order-1", lines)

    assert [(g.line_id, g.title, g.asset_key, g.downloads_left) for g in grants] == [
        ("l1", "Dune (E-book)", "ebooks/dune.txt", 2)
    ]
    assert grants[0].expires_at == datetime.fromtimestamp(
        int((clock.now + timedelta(hours=1)).timestamp()), UTC
    )
    assert downloads.links("order-1") == grants


def test_each_copy_bought_brings_its_own_downloads(
    downloads: DownloadsService, lines: list[Line]
) -> None:
    three_copies = dataclasses.replace(lines[0], quantity=3)

    [grant] = downloads.grant_for_order("order-2", [three_copies])

    assert grant.downloads_left == 6


def test_granting_again_returns_the_same_links_with_their_use_and_expiry_kept(
    downloads: DownloadsService, lines: list[Line], clock: Clock
) -> None:
    first = downloads.grant_for_order("order-1", lines)
    downloads.redeem(first[0].token)
    clock.now += timedelta(minutes=30)

    again = downloads.grant_for_order("order-1", lines)

    assert [g.token for g in again] == [g.token for g in first]
    assert again[0].expires_at == first[0].expires_at
    assert again[0].downloads_left == 1


def test_an_order_without_grants_has_no_links(downloads: DownloadsService) -> None:
    assert downloads.links("order-unpaid") == []


def test_a_link_delivers_the_file_and_counts_down(
    downloads: DownloadsService, lines: list[Line], files: Path
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)

    delivery, after = downloads.redeem(grant.token)

    assert isinstance(delivery, LocalFile)
    assert delivery.path.read_text() == "Dune, the e-book"
    assert after.downloads_left == 1


def test_a_used_up_link_is_refused_and_counts_nothing(
    downloads: DownloadsService, lines: list[Line]
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)
    downloads.redeem(grant.token)
    downloads.redeem(grant.token)

    with pytest.raises(DownloadRefused) as refused:
        downloads.redeem(grant.token)

    assert refused.value.reason is DownloadRefusal.USED_UP
    assert downloads.links("order-1")[0].downloads_left == 0


def test_an_expired_link_is_refused_and_counts_nothing(
    downloads: DownloadsService, lines: list[Line], clock: Clock
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)
    clock.now += timedelta(hours=1, seconds=1)

    with pytest.raises(DownloadRefused) as refused:
        downloads.redeem(grant.token)

    assert refused.value.reason is DownloadRefusal.EXPIRED
    assert downloads.links("order-1")[0].downloads_left == 2


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),
        lambda t: t.split(".")[0],
        lambda t: "bm90LWFuLW9yZGVy." + t.split(".")[1],
        lambda t: "%%%." + t.split(".")[1],
        lambda t: "",
    ],
)
def test_a_forged_or_garbled_token_is_not_found(
    downloads: DownloadsService, lines: list[Line], mangle: object
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)
    token = mangle(grant.token)  # type: ignore[operator]

    with pytest.raises(DownloadRefused) as refused:
        downloads.redeem(token)

    assert refused.value.reason is DownloadRefusal.NOT_FOUND
    assert downloads.links("order-1")[0].downloads_left == 2


def test_a_token_signed_with_another_key_is_not_found(
    services: Services, downloads: DownloadsService, lines: list[Line], files: Path
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)
    other = DownloadsService(
        services.catalog,
        LocalFiles(files),
        signing_key="another-key",
        link_seconds=3600,
        max_downloads=2,
    )

    with pytest.raises(DownloadRefused) as refused:
        other.redeem(grant.token)

    assert refused.value.reason is DownloadRefusal.NOT_FOUND


def test_a_missing_file_is_reported_and_the_download_not_counted(
    downloads: DownloadsService, lines: list[Line], files: Path
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)
    (files / "ebooks" / "dune.txt").unlink()

    with pytest.raises(DownloadRefused) as refused:
        downloads.redeem(grant.token)

    assert refused.value.reason is DownloadRefusal.FILE_MISSING
    assert downloads.links("order-1")[0].downloads_left == 2


def test_simultaneous_clicks_on_the_last_download_deliver_it_once(
    services: Services, files: Path, lines: list[Line]
) -> None:
    one_left = DownloadsService(
        services.catalog,
        LocalFiles(files),
        signing_key="k",
        link_seconds=3600,
        max_downloads=1,
    )
    (grant,) = one_left.grant_for_order("order-1", lines)
    results: list[str] = []

    def click() -> None:
        try:
            one_left.redeem(grant.token)
            results.append("delivered")
        except DownloadRefused as exc:
            results.append(exc.reason.value)

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("delivered") == 1
    assert results.count("DOWNLOAD_LIMIT_REACHED") == 7


def test_ended_downloads_answer_limit_reached(
    downloads: DownloadsService, lines: list[Line]
) -> None:
    (grant,) = downloads.grant_for_order("order-1", lines)

    downloads.end_downloads("order-1")

    with pytest.raises(DownloadRefused) as refused:
        downloads.redeem(grant.token)
    assert refused.value.reason is DownloadRefusal.USED_UP


def test_without_a_signing_key_no_link_is_made(services: Services, files: Path) -> None:
    unsigned = DownloadsService(
        services.catalog, LocalFiles(files), signing_key="", link_seconds=60, max_downloads=1
    )

    with pytest.raises(DownloadsNotConfigured):
        unsigned.grant_for_order("order-1", [])
    assert unsigned.links("order-1") == []
