"""GET /downloads/<token> over HTTP, and the catalog's asset keys as staff set them."""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.model import OptionValue, VariantKind
from commerce.composition import Services
from commerce.downloads.files import LocalFiles, S3Files
from commerce.downloads.service import DownloadsService
from commerce.money import Currency, Money

PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { variants { assetKey } }
    userErrors { field code message }
  }
}"""


@dataclasses.dataclass(frozen=True)
class Line:
    id: str
    product_id: str
    variant_id: str
    kind: VariantKind = VariantKind.DIGITAL
    title: str = "Atlas"
    variant_title: str = "E-book"
    quantity: int = 1


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def line(services: Services) -> Line:
    product = services.catalog.create_product(
        ProductDraft(
            title="Atlas",
            published=True,
            variants=(
                VariantDraft(
                    sku="ATLAS-EB",
                    options=(OptionValue("Format", "E-book"),),
                    prices=(Money(500, Currency.USD),),
                    kind=VariantKind.DIGITAL,
                    asset_key="ebooks/atlas.txt",
                ),
            ),
        )
    )
    return Line("line-1", product.id, product.variants[0].id)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def local(services: Services, tmp_path: Path, clock: Clock) -> DownloadsService:
    (tmp_path / "ebooks").mkdir()
    (tmp_path / "ebooks" / "atlas.txt").write_text("Maps of everywhere")
    return DownloadsService(
        services.catalog,
        LocalFiles(tmp_path),
        signing_key="k",
        link_seconds=600,
        max_downloads=1,
        clock=clock,
    )


@pytest.fixture
def http(services: Services, local: DownloadsService) -> Iterator[TestClient]:
    app = create_app(dataclasses.replace(services, downloads=local))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_a_link_streams_the_file_once_then_answers_410(
    http: TestClient, local: DownloadsService, line: Line
) -> None:
    (grant,) = local.grant_for_order("order-1", [line])

    first = http.get(f"/downloads/{grant.token}")
    second = http.get(f"/downloads/{grant.token}")

    assert first.status_code == 200
    assert first.content == b"Maps of everywhere"
    assert first.headers["content-disposition"] == 'attachment; filename="atlas.txt"'
    assert second.status_code == 410
    assert second.json() == {
        "error": {
            "code": "DOWNLOAD_LIMIT_REACHED",
            "message": "This download link has been used as often as it allows.",
        }
    }


def test_an_expired_link_answers_410_expired(
    http: TestClient, local: DownloadsService, line: Line, clock: Clock
) -> None:
    (grant,) = local.grant_for_order("order-1", [line])
    clock.now += timedelta(minutes=11)

    response = http.get(f"/downloads/{grant.token}")

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "DOWNLOAD_EXPIRED"
    assert local.links("order-1")[0].downloads_left == 1


@pytest.mark.parametrize("token", ["nope", "a.b", "T3JkZXI.0000", "x" * 600])
def test_an_unknown_link_answers_404(http: TestClient, token: str) -> None:
    response = http.get(f"/downloads/{token}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "DOWNLOAD_NOT_FOUND"
    assert response.headers["cache-control"] == "no-store"


def test_in_aws_a_link_redirects_to_a_short_lived_presigned_s3_url(
    services: Services, line: Line
) -> None:
    s3 = DownloadsService(
        services.catalog,
        S3Files("shop-files", "eu-west-1", url_seconds=60),
        signing_key="k",
        link_seconds=600,
        max_downloads=2,
    )
    (grant,) = s3.grant_for_order("order-1", [line])
    app = create_app(dataclasses.replace(services, downloads=s3))

    with TestClient(app, follow_redirects=False) as client:
        response = client.get(f"/downloads/{grant.token}")

    assert response.status_code == 302
    target = urllib.parse.urlsplit(response.headers["location"])
    query = urllib.parse.parse_qs(target.query)
    assert target.hostname is not None
    assert target.hostname.startswith("shop-files.s3")
    assert target.path == "/ebooks/atlas.txt"
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == ['attachment; filename="atlas.txt"']
    assert s3.links("order-1")[0].downloads_left == 1


def _create(gql: Any, admin_key: str | None, asset_key: str) -> dict[str, Any]:
    variant = {
        "sku": f"ASSET-{abs(hash(asset_key)) % 10**8}",
        "kind": "DIGITAL",
        "assetKey": asset_key,
        "prices": [{"amount": "5.00", "currencyCode": "USD"}],
    }
    body: dict[str, Any] = gql(
        PRODUCT_CREATE,
        {"input": {"title": "Keyed", "published": True, "variants": [variant]}},
        api_key=admin_key,
    )
    return body


def test_staff_set_a_digital_variants_file_and_read_it_back(gql: Any, admin_key: str) -> None:
    body = _create(gql, admin_key, "audiobooks/keyed.mp3")

    payload = body["data"]["productCreate"]
    assert payload["userErrors"] == []
    assert payload["product"]["variants"] == [{"assetKey": "audiobooks/keyed.mp3"}]


@pytest.mark.parametrize("bad", ["../etc/passwd", "/abs/path", "a//b", "ebooks/..x", "sp ace"])
def test_an_asset_key_that_could_leave_the_files_folder_is_refused(
    gql: Any, admin_key: str, bad: str
) -> None:
    payload = _create(gql, admin_key, bad)["data"]["productCreate"]

    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID", ["variants", "0", "assetKey"])
    ]
    assert payload["product"] is None


def test_shoppers_cannot_read_a_variants_asset_key(
    gql: Any, admin_key: str, services: Services, line: Line
) -> None:
    body = gql(
        "query ($id: ID!) { product(id: $id) { variants { sku assetKey } } }",
        {"id": _product_global_id(line.product_id)},
    )

    assert body["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}


def _product_global_id(product_id: str) -> str:
    from commerce.graphql.ids import to_global_id

    return to_global_id("Product", product_id)
