"""The demo catalog's data: valid for the service, and showing what it is meant to show."""

from __future__ import annotations

from collections import Counter

import pytest

from commerce.catalog import rules
from commerce.catalog.commands import ProductDraft, VariantDraft
from commerce.catalog.demo import (
    AUDIOBOOKS,
    CATEGORIES,
    SERIES,
    demo_collection_drafts,
    demo_product_drafts,
)
from commerce.catalog.model import (
    OptionValue,
    Variant,
    VariantKind,
    handle_from_title,
    is_valid_handle,
)
from commerce.money import Currency

COLLECTIONS = demo_collection_drafts()
# Made-up ids that name their collection, so a failing assertion is readable.
IDS = {
    draft.handle or handle_from_title(draft.title): f"id-{i}" for i, draft in enumerate(COLLECTIONS)
}
PRODUCTS = demo_product_drafts(IDS)
VARIANTS = [variant for product in PRODUCTS for variant in product.variants]


def attribute(product: ProductDraft, name: str) -> tuple[str, ...]:
    return next((a.values for a in product.attributes if a.name == name), ())


def format_of(variant: VariantDraft) -> str:
    (option,) = variant.options
    assert option.name == "Format"
    return option.value


def variant_of(product: ProductDraft, format_name: str) -> VariantDraft | None:
    return next((v for v in product.variants if format_of(v) == format_name), None)


def hardcover(product: ProductDraft) -> VariantDraft:
    variant = variant_of(product, "Hardcover")
    assert variant is not None, product.title
    return variant


def price(variant: VariantDraft, currency: Currency) -> int | None:
    return next((p.amount for p in variant.prices if p.currency is currency), None)


def test_catalog_has_the_intended_size() -> None:
    series_books = [p for p in PRODUCTS if attribute(p, "series")]
    volumes = Counter(attribute(p, "series") for p in series_books)
    authors = {author for p in PRODUCTS for author in attribute(p, "author")}

    assert 18 <= len(PRODUCTS) <= 24
    assert len(volumes) == 3
    assert all(3 <= count <= 4 for count in volumes.values())
    assert 4 <= len(PRODUCTS) - len(series_books) <= 6
    assert 4 <= len(authors) <= 5
    assert len(COLLECTIONS) == len(SERIES) + len(CATEGORIES) == 8


def test_every_draft_passes_the_services_checks() -> None:
    for draft in COLLECTIONS:
        assert draft.handle is not None
        problems = [
            *rules.check_title(draft.title, ()),
            *rules.check_handle(draft.handle, ()),
            *rules.check_description(draft.description, ()),
            *rules.check_images([draft.image] if draft.image else [], ()),
        ]
        assert problems == [], draft.title
    for product in PRODUCTS:
        assert product.handle is not None
        problems = [
            *rules.check_title(product.title, ()),
            *rules.check_handle(product.handle, ()),
            *rules.check_description(product.description, ()),
            *rules.check_tags(product.tags, ()),
            *rules.check_attributes(product.attributes, ()),
            *rules.check_images(product.images, ()),
            *rules.check_collection_ids(product.collection_ids, ()),
        ]
        for variant in product.variants:
            problems += rules.check_variant_draft(variant, ())
        as_variants = [
            Variant(id=str(i), sku=v.sku, options=v.options, prices=v.prices, kind=v.kind)
            for i, v in enumerate(product.variants)
        ]
        problems += rules.check_variant_set(as_variants, ())
        assert problems == [], product.title


def test_handles_and_skus_are_unique() -> None:
    product_handles = [p.handle for p in PRODUCTS]
    collection_handles = [c.handle for c in COLLECTIONS]
    skus = [v.sku for v in VARIANTS]

    assert len(set(product_handles)) == len(product_handles)
    assert len(set(collection_handles)) == len(collection_handles)
    assert len(set(skus)) == len(skus)
    assert all(h is not None and is_valid_handle(h) for h in product_handles)


def test_handles_leave_no_stray_letter_for_an_apostrophe() -> None:
    handles = {p.title: p.handle for p in PRODUCTS}

    assert handles["The Clockmaker's Alibi"] == "the-clockmakers-alibi"


def test_every_product_has_a_hardcover_and_an_ebook_and_some_lack_an_audiobook() -> None:
    formats = [tuple(format_of(v) for v in p.variants) for p in PRODUCTS]

    assert all(
        f in {("Hardcover", "E-book"), ("Hardcover", "E-book", "Audiobook")} for f in formats
    )
    assert any("Audiobook" not in f for f in formats)
    assert sum("Audiobook" in f for f in formats) > len(PRODUCTS) / 2


def test_skus_name_the_format() -> None:
    suffixes = {"Hardcover": "-HC", "E-book": "-EB", "Audiobook": "-AB"}

    assert all(v.sku.endswith(suffixes[format_of(v)]) for v in VARIANTS)


def test_hardcovers_are_physical_with_a_weight_and_downloads_digital_without_stock() -> None:
    for variant in VARIANTS:
        if format_of(variant) == "Hardcover":
            assert variant.kind is VariantKind.PHYSICAL
            assert variant.weight_grams is not None
            assert 200 <= variant.weight_grams <= 1500
        else:
            assert variant.kind is VariantKind.DIGITAL
            assert variant.initial_stock == 0
            assert variant.weight_grams is None


def test_every_variant_is_priced_in_usd_and_eur_with_a_usd_cost_below_the_price() -> None:
    for variant in VARIANTS:
        usd = price(variant, Currency.USD)
        assert usd is not None, variant.sku
        assert price(variant, Currency.EUR) is not None, variant.sku
        assert variant.cost is not None
        assert variant.cost.currency is Currency.USD
        assert 0 < variant.cost.amount < usd, variant.sku


@pytest.mark.parametrize(
    ("format_name", "low", "high"),
    [("Hardcover", 1500, 3500), ("E-book", 499, 1499), ("Audiobook", 1299, 2499)],
)
def test_prices_are_realistic_for_their_format(format_name: str, low: int, high: int) -> None:
    amounts = [price(v, Currency.USD) for v in VARIANTS if format_of(v) == format_name]

    assert amounts
    assert all(a is not None and low <= a <= high for a in amounts)


def test_a_few_variants_are_priced_in_gbp_and_some_products_not_at_all() -> None:
    in_gbp = [v for v in VARIANTS if price(v, Currency.GBP) is not None]
    products_without_gbp = [
        p for p in PRODUCTS if all(price(v, Currency.GBP) is None for v in p.variants)
    ]

    assert 0 < len(in_gbp) < len(VARIANTS) / 2
    assert products_without_gbp
    # A product priced in GBP for some formats only shows a partial price range.
    assert any(
        {price(v, Currency.GBP) is None for v in p.variants} == {True, False} for p in PRODUCTS
    )


def test_stock_shows_sold_out_low_and_plentiful_hardcovers() -> None:
    published = [hardcover(p).initial_stock for p in PRODUCTS if p.published]

    assert published.count(0) >= 2
    assert sum(1 <= stock <= 3 for stock in published) >= 2
    assert sum(stock > 3 for stock in published) > len(published) / 2


def test_one_or_two_products_are_unpublished() -> None:
    unpublished = [p for p in PRODUCTS if not p.published]

    assert 1 <= len(unpublished) <= 2
    assert any(attribute(p, "series") for p in unpublished), "an upcoming series volume"


def test_every_series_volume_is_in_its_series_collection_numbered_from_one() -> None:
    for series in SERIES:
        volumes = [p for p in PRODUCTS if attribute(p, "series") == (series.title,)]
        numbers = sorted(int(v) for p in volumes for v in attribute(p, "volume"))

        assert all(IDS[series.handle] in p.collection_ids for p in volumes)
        assert numbers == list(range(1, len(volumes) + 1))
        assert all(attribute(p, "author") == attribute(volumes[0], "author") for p in volumes)


def test_only_series_books_are_in_series_collections() -> None:
    series_ids = {IDS[s.handle] for s in SERIES}

    for product in PRODUCTS:
        in_series = series_ids.intersection(product.collection_ids)
        assert len(in_series) == (1 if attribute(product, "series") else 0), product.title


def test_each_product_is_in_a_genre_and_every_category_has_members() -> None:
    genres = {IDS[handle] for handle in ("fantasy", "science-fiction", "mystery")}
    members = Counter(cid for p in PRODUCTS for cid in p.collection_ids)

    assert all(genres.intersection(p.collection_ids) for p in PRODUCTS)
    assert all(members[IDS[c.handle]] >= 3 for c in (*SERIES, *CATEGORIES))


def test_the_audiobooks_shelf_and_tag_hold_exactly_the_books_with_an_audiobook() -> None:
    for product in PRODUCTS:
        has_audiobook = variant_of(product, "Audiobook") is not None

        assert (IDS[AUDIOBOOKS.handle] in product.collection_ids) == has_audiobook
        assert ("audiobook" in product.tags) == has_audiobook


def test_products_carry_the_attributes_and_tags_storefronts_filter_on() -> None:
    for product in PRODUCTS:
        names = {a.name for a in product.attributes}
        assert {"author", "language", "pages"} <= names
        assert ("series" in names) == ("volume" in names)
        assert int(attribute(product, "pages")[0]) > 0
        assert product.tags
        assert product.description
    tags = {tag for p in PRODUCTS for tag in p.tags}
    assert {"fantasy", "bestseller", "new", "award-winner", "audiobook"} <= tags
    assert any(len(attribute(p, "author")) == 2 for p in PRODUCTS), "a co-written book"


def test_each_product_has_one_sized_cover_image() -> None:
    for product in PRODUCTS:
        (image,) = product.images
        assert image.url.startswith("https://images.example.com/")
        assert image.alt_text
        assert image.width
        assert image.height


def test_products_name_collections_only_by_the_ids_they_are_given() -> None:
    known = set(IDS.values())

    assert all(set(p.collection_ids) <= known for p in PRODUCTS)
    with pytest.raises(KeyError):
        demo_product_drafts({})


def test_drafts_are_the_same_every_time() -> None:
    assert demo_product_drafts(IDS) == PRODUCTS
    assert demo_collection_drafts() == COLLECTIONS
    assert all(v.options == (OptionValue("Format", format_of(v)),) for v in VARIANTS)
