"""The storefront listing: filters, sort orders and Relay cursor pagination."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest
from factories import (
    days_after_launch,
    eur,
    make_product,
    make_snapshot,
    make_variant,
    usd,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.catalog.listing import (
    DEFAULT_PAGE_SIZE,
    AttributeFilter,
    InvalidCursor,
    InvalidPageRequest,
    ListingError,
    ListingIndex,
    PageRequest,
    ProductPage,
    ProductQuery,
    ProductSort,
    build_index,
    list_products,
)
from commerce.catalog.model import Product, ProductRating, VariantKind
from commerce.money import Currency

USD = ProductQuery(currency=Currency.USD)


def index_of(*products: Product, stock: dict[str, int] | None = None) -> ListingIndex:
    return build_index(make_snapshot(*products, stock=stock))


def titles(page: ProductPage) -> list[str]:
    return [edge.product.title for edge in page.edges]


def listed_titles(index: ListingIndex, query: ProductQuery = USD) -> list[str]:
    return titles(list_products(index, query, PageRequest(first=100)))


def pages_forward(index: ListingIndex, query: ProductQuery, size: int) -> list[ProductPage]:
    pages = [list_products(index, query, PageRequest(first=size))]
    while pages[-1].has_next_page:
        cursor = pages[-1].edges[-1].cursor
        pages.append(list_products(index, query, PageRequest(first=size, after=cursor)))
    return pages


def pages_backward(index: ListingIndex, query: ProductQuery, size: int) -> list[ProductPage]:
    pages = [list_products(index, query, PageRequest(last=size))]
    while pages[-1].has_previous_page:
        cursor = pages[-1].edges[0].cursor
        pages.append(list_products(index, query, PageRequest(last=size, before=cursor)))
    return pages


def ids_forward(index: ListingIndex, query: ProductQuery, size: int) -> list[str]:
    return [e.product.id for page in pages_forward(index, query, size) for e in page.edges]


def ids_backward(index: ListingIndex, query: ProductQuery, size: int) -> list[str]:
    pages = reversed(pages_backward(index, query, size))
    return [e.product.id for page in pages for e in page.edges]


def all_ids(index: ListingIndex, query: ProductQuery) -> list[str]:
    page = list_products(index, query, PageRequest(first=1000), max_page_size=1000)
    return [e.product.id for e in page.edges]


def forge_cursor(payload: object) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str) -> dict[str, object]:
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert isinstance(decoded, dict)
    return decoded


# --- Text search -------------------------------------------------------------------------------


def test_text_search_matches_words_of_the_title_author_and_tags() -> None:
    # given
    index = index_of(
        make_product("The Hobbit"),
        make_product("Earthsea", author="Ursula Le Guin"),
        make_product("Dune", tags=("desert",)),
        make_product("Emma"),
    )

    # when
    by_title = listed_titles(index, replace(USD, text="hobbit"))
    by_author = listed_titles(index, replace(USD, text="GUIN"))
    by_tag = listed_titles(index, replace(USD, text="desert"))

    # then
    assert by_title == ["The Hobbit"]
    assert by_author == ["Earthsea"]
    assert by_tag == ["Dune"]


def test_every_word_of_the_text_must_match() -> None:
    # given
    index = index_of(
        make_product("The Hobbit", author="J. R. R. Tolkien"),
        make_product("The Silmarillion", author="J. R. R. Tolkien"),
        make_product("The Hobbit Companion", author="David Day"),
    )

    # when
    found = listed_titles(index, replace(USD, text="Tolkien, hobbit!"))

    # then
    assert found == ["The Hobbit"]


def test_a_query_word_finds_product_words_it_is_a_prefix_of() -> None:
    # given
    index = index_of(
        make_product("The Hobbit", author="J. R. R. Tolkien"),
        make_product("Dune", author="Frank Herbert"),
    )

    # when
    found = listed_titles(index, replace(USD, text="tolk"))

    # then
    assert found == ["The Hobbit"]


def test_a_query_word_does_not_match_the_middle_of_a_product_word() -> None:
    # given
    index = index_of(make_product("The Hobbit", author="J. R. R. Tolkien"))

    # when
    found = listed_titles(index, replace(USD, text="olkien"))

    # then
    assert found == []


def test_text_without_any_word_lists_every_product() -> None:
    # given
    index = index_of(make_product("Emma"), make_product("Dune"))

    # when
    found = listed_titles(index, replace(USD, text=" !? "))

    # then
    assert found == ["Dune", "Emma"]


def test_text_search_does_not_look_at_descriptions_or_other_attributes() -> None:
    # given
    index = index_of(make_product("Emma", attributes={"Series": ("Penguin Classics",)}))

    # when
    found = listed_titles(index, replace(USD, text="penguin"))

    # then
    assert found == []


# --- Filters -----------------------------------------------------------------------------------


def test_collection_filter_keeps_only_products_of_the_collection() -> None:
    # given
    index = index_of(
        make_product("Dune", collection_ids=("sci-fi",)),
        make_product("Emma", collection_ids=("classics",)),
        make_product("Frankenstein", collection_ids=("classics", "sci-fi")),
    )

    # when
    found = listed_titles(index, replace(USD, collection_id="sci-fi"))

    # then
    assert found == ["Dune", "Frankenstein"]


def test_an_unknown_collection_lists_nothing() -> None:
    # given
    index = index_of(make_product("Dune", collection_ids=("sci-fi",)))

    # when
    page = list_products(index, replace(USD, collection_id="poetry"), PageRequest())

    # then
    assert page.edges == ()
    assert page.total_count == 0
    assert not page.has_next_page
    assert not page.has_previous_page


def test_attribute_filter_ignores_case_of_name_and_value() -> None:
    # given
    index = index_of(
        make_product("Mort", attributes={"Series": ("Discworld",)}),
        make_product("Dune", attributes={"Series": ("Dune Chronicles",)}),
    )

    # when
    found = listed_titles(index, replace(USD, attributes=(AttributeFilter("series", "DISCWORLD"),)))

    # then
    assert found == ["Mort"]


def test_attribute_filter_matches_any_of_the_attribute_values() -> None:
    # given
    index = index_of(
        make_product("Good Omens", attributes={"Author": ("Terry Pratchett", "Neil Gaiman")}),
        make_product("Mort", attributes={"Author": ("Terry Pratchett",)}),
    )

    # when
    found = listed_titles(
        index, replace(USD, attributes=(AttributeFilter("Author", "neil gaiman"),))
    )

    # then
    assert found == ["Good Omens"]


def test_every_attribute_filter_must_match() -> None:
    # given
    index = index_of(
        make_product("Mort", attributes={"Series": ("Discworld",), "Language": ("English",)}),
        make_product("Mort (DE)", attributes={"Series": ("Discworld",), "Language": ("German",)}),
        make_product("Dune", attributes={"Language": ("English",)}),
    )
    query = replace(
        USD,
        attributes=(AttributeFilter("Series", "Discworld"), AttributeFilter("Language", "English")),
    )

    # when
    found = listed_titles(index, query)

    # then
    assert found == ["Mort"]


def test_the_tag_attribute_filter_matches_tags() -> None:
    # given
    index = index_of(
        make_product("Dune", tags=("Award Winner", "desert")),
        make_product("Emma", tags=("romance",)),
    )

    # when
    found = listed_titles(index, replace(USD, attributes=(AttributeFilter("Tag", "award winner"),)))

    # then
    assert found == ["Dune"]


def test_price_filter_keeps_products_with_a_variant_in_the_range_bounds_included() -> None:
    # given
    index = index_of(
        make_product("Cheap", price=499),
        make_product("Low bound", price=500),
        make_product("High bound", price=1500),
        make_product("Dear", price=1501),
        make_product("Both", variants=(make_variant(usd(100)), make_variant(usd(3000)))),
        make_product("One inside", variants=(make_variant(usd(100)), make_variant(usd(800)))),
    )

    # when
    found = listed_titles(index, replace(USD, min_price=500, max_price=1500))

    # then
    assert found == ["High bound", "Low bound", "One inside"]


def test_price_filter_with_only_a_minimum_or_only_a_maximum() -> None:
    # given
    index = index_of(make_product("Cheap", price=500), make_product("Dear", price=5000))

    # when
    at_least = listed_titles(index, replace(USD, min_price=1000))
    at_most = listed_titles(index, replace(USD, max_price=1000))

    # then
    assert at_least == ["Dear"]
    assert at_most == ["Cheap"]


def test_a_product_without_a_price_in_the_currency_never_matches_a_price_filter() -> None:
    # given
    index = index_of(
        make_product("Euro only", variants=(make_variant(eur(700)),)),
        make_product("Dollars", price=700),
    )

    # when
    found = listed_titles(index, replace(USD, min_price=0, max_price=10_000))

    # then
    assert found == ["Dollars"]


def test_price_filter_compares_prices_in_the_query_currency_only() -> None:
    # given
    index = index_of(make_product("Dune", variants=(make_variant(usd(2000), eur(900)),)))

    # when
    in_dollars = listed_titles(index, replace(USD, max_price=1000))
    in_euros = listed_titles(index, ProductQuery(currency=Currency.EUR, max_price=1000))

    # then
    assert in_dollars == []
    assert in_euros == ["Dune"]


def test_price_filter_in_a_currency_no_product_is_priced_in_lists_nothing() -> None:
    # given
    index = index_of(make_product("Dune", price=1000))

    # when
    found = listed_titles(index, ProductQuery(currency=Currency.JPY, min_price=0))

    # then
    assert found == []


def test_in_stock_filter_keeps_products_with_a_variant_available_for_sale() -> None:
    # given
    sold_out, hardcover_sold_out, paperback_left = (make_variant(usd(1000)) for _ in range(3))
    index = index_of(
        make_product("Sold out", variants=(sold_out,)),
        make_product("One format left", variants=(hardcover_sold_out, paperback_left)),
        make_product("Ebook", variants=(make_variant(usd(500), kind=VariantKind.DIGITAL),)),
        stock={sold_out.id: 0, hardcover_sold_out.id: 0, paperback_left.id: 1},
    )

    # when
    available = listed_titles(index, replace(USD, in_stock=True))
    unavailable = listed_titles(index, replace(USD, in_stock=False))

    # then
    assert available == ["Ebook", "One format left"]
    assert unavailable == ["Sold out"]


def test_a_physical_variant_missing_from_stock_or_below_zero_is_not_available() -> None:
    # given
    missing = make_product("Missing", price=1000)
    negative = make_product("Negative", price=1000)
    index = build_index(
        replace(make_snapshot(missing, negative), stock={negative.variants[0].id: -2})
    )

    # when
    available = listed_titles(index, replace(USD, in_stock=True))
    unavailable = listed_titles(index, replace(USD, in_stock=False))

    # then
    assert available == []
    assert unavailable == ["Missing", "Negative"]


def test_unpublished_products_are_listed_only_when_asked_for() -> None:
    # given
    index = index_of(make_product("Live"), make_product("Draft", published=False))

    # when
    default = listed_titles(index)
    with_drafts = listed_titles(index, replace(USD, include_unpublished=True))

    # then
    assert default == ["Live"]
    assert with_drafts == ["Draft", "Live"]


def test_total_count_counts_every_match_not_only_the_page() -> None:
    # given
    index = index_of(
        *(make_product(f"Book {n}") for n in range(7)), make_product("Draft", published=False)
    )

    # when
    page = list_products(index, USD, PageRequest(first=2))

    # then
    assert len(page.edges) == 2
    assert page.total_count == 7


# --- Sort orders -------------------------------------------------------------------------------


def test_title_order_ignores_case_and_breaks_ties_on_id() -> None:
    # given
    index = index_of(
        make_product("emma", id="p3"),
        make_product("Dune", id="p2"),
        make_product("Emma", id="p1"),
    )

    # when
    found = [e.product.id for e in list_products(index, USD, PageRequest()).edges]

    # then
    assert found == ["p2", "p1", "p3"]


def test_reverse_flips_the_title_order_tie_breaks_included() -> None:
    # given
    index = index_of(
        make_product("Emma", id="p1"),
        make_product("Dune", id="p2"),
        make_product("Emma", id="p3"),
    )

    # when
    page = list_products(index, replace(USD, reverse=True), PageRequest())

    # then
    assert [e.product.id for e in page.edges] == ["p3", "p1", "p2"]


def test_price_order_uses_the_lowest_variant_price_in_the_currency() -> None:
    # given
    index = index_of(
        make_product("Mid", price=1000),
        make_product(
            "Hardcover or ebook", variants=(make_variant(usd(3000)), make_variant(usd(500)))
        ),
        make_product("Dear", price=2000),
    )

    # when
    found = listed_titles(index, replace(USD, sort=ProductSort.PRICE))

    # then
    assert found == ["Hardcover or ebook", "Mid", "Dear"]


def test_price_ties_are_broken_on_id() -> None:
    # given
    index = index_of(
        make_product("B", id="p2", price=1000),
        make_product("A", id="p3", price=1000),
        make_product("C", id="p1", price=1000),
    )

    # when
    page = list_products(index, replace(USD, sort=ProductSort.PRICE), PageRequest())

    # then
    assert [e.product.id for e in page.edges] == ["p1", "p2", "p3"]


def test_products_without_a_price_in_the_currency_sort_last() -> None:
    # given
    index = index_of(
        make_product("Euro only", id="p1", variants=(make_variant(eur(100)),)),
        make_product("Dear", id="p2", price=2000),
        make_product("Not for sale", id="p3", price=None),
        make_product("Cheap", id="p4", price=100),
    )

    # when
    found = listed_titles(index, replace(USD, sort=ProductSort.PRICE))

    # then
    assert found == ["Cheap", "Dear", "Euro only", "Not for sale"]


def test_products_without_a_price_in_the_currency_sort_last_also_when_reversed() -> None:
    # given
    index = index_of(
        make_product("Euro only", id="p1", variants=(make_variant(eur(100)),)),
        make_product("Dear", id="p2", price=2000),
        make_product("Not for sale", id="p3", price=None),
        make_product("Cheap", id="p4", price=100),
    )

    # when
    found = listed_titles(index, replace(USD, sort=ProductSort.PRICE, reverse=True))

    # then
    assert found == ["Dear", "Cheap", "Not for sale", "Euro only"]


def test_price_order_in_a_currency_no_product_is_priced_in_falls_back_to_id_order() -> None:
    # given
    index = index_of(make_product("B", id="p2"), make_product("A", id="p1"))

    # when
    found = listed_titles(index, ProductQuery(currency=Currency.JPY, sort=ProductSort.PRICE))

    # then
    assert found == ["A", "B"]


def test_newest_order_lists_the_latest_created_first_with_ties_on_id() -> None:
    # given
    index = index_of(
        make_product("Old", id="p1", created_at=days_after_launch(1)),
        make_product("New", id="p3", created_at=days_after_launch(9)),
        make_product("Also new", id="p2", created_at=days_after_launch(9)),
    )

    # when
    newest = listed_titles(index, replace(USD, sort=ProductSort.NEWEST))
    oldest = listed_titles(index, replace(USD, sort=ProductSort.NEWEST, reverse=True))

    # then
    assert newest == ["Also new", "New", "Old"]
    assert oldest == ["Old", "New", "Also new"]


def test_relevance_lists_whole_word_matches_before_prefix_matches() -> None:
    # given
    index = index_of(
        make_product("Dragonflight"),
        make_product("Dragon Rider"),
    )

    # when
    found = listed_titles(index, replace(USD, text="dragon", sort=ProductSort.RELEVANCE))

    # then
    assert found == ["Dragon Rider", "Dragonflight"]


def test_relevance_prefers_more_whole_word_matches() -> None:
    # given
    index = index_of(
        make_product("A Sea of Fireflies"),
        make_product("Sea Fire"),
        make_product("Fire by the Seaside"),
    )

    # when
    found = listed_titles(index, replace(USD, text="sea fire", sort=ProductSort.RELEVANCE))

    # then
    assert found == ["Sea Fire", "A Sea of Fireflies", "Fire by the Seaside"]


def test_relevance_prefers_matches_in_the_title_over_author_and_tags() -> None:
    # given
    index = index_of(
        make_product("About Dragons", tags=("tolkien",)),
        make_product("Beowulf", author="Tolkien", tags=("dragons",)),
        make_product("Tolkien and the Dragons"),
    )

    # when
    found = listed_titles(index, replace(USD, text="tolkien dragons", sort=ProductSort.RELEVANCE))

    # then
    assert found == ["Tolkien and the Dragons", "About Dragons", "Beowulf"]


def test_equally_relevant_products_are_in_title_order() -> None:
    # given
    index = index_of(
        make_product("Dune Messiah"), make_product("Dune"), make_product("Children of Dune")
    )

    # when
    found = listed_titles(index, replace(USD, text="dune", sort=ProductSort.RELEVANCE))

    # then
    assert found == ["Children of Dune", "Dune", "Dune Messiah"]


def test_relevance_without_text_is_title_order() -> None:
    # given
    index = index_of(make_product("Emma"), make_product("Dune"), make_product("beowulf"))

    # when
    by_relevance = listed_titles(index, replace(USD, sort=ProductSort.RELEVANCE))
    by_title = listed_titles(index, replace(USD, sort=ProductSort.TITLE))

    # then
    assert by_relevance == by_title == ["beowulf", "Dune", "Emma"]


def test_reverse_flips_the_relevance_order() -> None:
    # given
    index = index_of(make_product("Dragonflight"), make_product("Dragon Rider"))

    # when
    found = listed_titles(
        index, replace(USD, text="dragon", sort=ProductSort.RELEVANCE, reverse=True)
    )

    # then
    assert found == ["Dragonflight", "Dragon Rider"]


# --- Pagination --------------------------------------------------------------------------------


def shelf(count: int) -> ListingIndex:
    """A catalog whose orders all differ: titles, prices and dates run different ways."""
    products = [
        make_product(
            f"Book {n:02d}",
            id=f"p{(n * 7) % count:02d}",
            price=None if n % 5 == 0 else 1000 + (n * 37) % 11 * 100,
            created_at=days_after_launch((n * 3) % 8),
            tags=("dragon",) if n % 2 else ("dragonfly", "dragon"),
        )
        for n in range(count)
    ]
    return index_of(*products)


ALL_ORDERS = [
    replace(USD, sort=sort, reverse=reverse, text=text)
    for sort in ProductSort
    for reverse in (False, True)
    for text in ((None, "drag") if sort is ProductSort.RELEVANCE else (None,))
]


@pytest.mark.parametrize("query", ALL_ORDERS, ids=repr)
def test_paging_forward_visits_every_product_once_in_order(query: ProductQuery) -> None:
    # given
    index = shelf(23)

    # when
    pages = pages_forward(index, query, 5)

    # then
    assert [len(p.edges) for p in pages] == [5, 5, 5, 5, 3]
    assert [e.product.id for p in pages for e in p.edges] == all_ids(index, query)
    assert [p.has_previous_page for p in pages] == [False, True, True, True, True]
    assert [p.has_next_page for p in pages] == [True, True, True, True, False]
    assert {p.total_count for p in pages} == {23}


@pytest.mark.parametrize("query", ALL_ORDERS, ids=repr)
def test_paging_backward_visits_every_product_once_in_order(query: ProductQuery) -> None:
    # given
    index = shelf(23)

    # when
    pages = pages_backward(index, query, 5)

    # then
    assert [len(p.edges) for p in pages] == [5, 5, 5, 5, 3]
    assert [e.product.id for p in reversed(pages) for e in p.edges] == all_ids(index, query)
    assert [p.has_next_page for p in pages] == [False, True, True, True, True]
    assert [p.has_previous_page for p in pages] == [True, True, True, True, False]


def test_without_first_or_last_a_page_has_the_default_size() -> None:
    # given
    index = shelf(30)

    # when
    page = list_products(index, USD, PageRequest())

    # then
    assert len(page.edges) == DEFAULT_PAGE_SIZE
    assert page.has_next_page


def test_the_default_page_size_never_exceeds_the_maximum() -> None:
    # given
    index = shelf(30)

    # when
    page = list_products(index, USD, PageRequest(), max_page_size=5)

    # then
    assert len(page.edges) == 5


def test_first_zero_returns_no_products_but_counts_them() -> None:
    # given
    index = shelf(3)

    # when
    page = list_products(index, USD, PageRequest(first=0))

    # then
    assert page.edges == ()
    assert page.total_count == 3
    assert page.has_next_page
    assert not page.has_previous_page


def test_after_and_before_together_list_the_products_between_them() -> None:
    # given
    index = shelf(10)
    everything = list_products(index, USD, PageRequest(first=10)).edges

    # when
    page = list_products(
        index, USD, PageRequest(first=10, after=everything[2].cursor, before=everything[6].cursor)
    )

    # then
    assert page.edges == everything[3:6]
    assert page.has_previous_page
    assert page.has_next_page


def test_last_with_after_takes_the_end_of_the_remaining_products() -> None:
    # given
    index = shelf(10)
    everything = list_products(index, USD, PageRequest(first=10)).edges

    # when
    page = list_products(index, USD, PageRequest(last=3, after=everything[2].cursor))

    # then
    assert page.edges == everything[7:]
    assert page.has_previous_page
    assert not page.has_next_page


def test_after_the_last_product_there_is_an_empty_page() -> None:
    # given
    index = shelf(4)
    everything = list_products(index, USD, PageRequest(first=4)).edges

    # when
    page = list_products(index, USD, PageRequest(first=4, after=everything[-1].cursor))

    # then
    assert page.edges == ()
    assert page.has_previous_page
    assert not page.has_next_page


def test_before_a_later_cursor_than_after_gives_an_empty_page() -> None:
    # given
    index = shelf(6)
    everything = list_products(index, USD, PageRequest(first=6)).edges

    # when
    page = list_products(
        index, USD, PageRequest(first=6, after=everything[4].cursor, before=everything[1].cursor)
    )

    # then
    assert page.edges == ()


def test_the_next_page_starts_in_the_right_place_when_the_cursor_product_was_deleted() -> None:
    # given
    products = [make_product(f"Book {n}", id=f"p{n}") for n in range(6)]
    first_page = list_products(index_of(*products), USD, PageRequest(first=3))
    deleted = first_page.edges[-1].product
    index = index_of(*(p for p in products if p is not deleted))

    # when
    page = list_products(index, USD, PageRequest(first=3, after=first_page.edges[-1].cursor))

    # then
    assert titles(first_page) == ["Book 0", "Book 1", "Book 2"]
    assert titles(page) == ["Book 3", "Book 4", "Book 5"]
    assert page.has_previous_page


def test_the_next_page_does_not_shift_when_a_product_is_added_before_the_cursor() -> None:
    # given
    products = [make_product(f"Book {n}", id=f"p{n}") for n in range(1, 7)]
    first_page = list_products(index_of(*products), USD, PageRequest(first=3))
    index = index_of(make_product("Book 0"), *products)

    # when
    page = list_products(index, USD, PageRequest(first=3, after=first_page.edges[-1].cursor))

    # then
    assert titles(page) == ["Book 4", "Book 5", "Book 6"]


def test_the_previous_page_ends_in_the_right_place_when_the_cursor_product_was_deleted() -> None:
    # given
    products = [make_product(f"Book {n}", id=f"p{n}", price=100 * n) for n in range(1, 7)]
    query = replace(USD, sort=ProductSort.PRICE, reverse=True)
    last_page = list_products(index_of(*products), query, PageRequest(last=2))
    deleted = last_page.edges[0].product
    index = index_of(*(p for p in products if p is not deleted))

    # when
    page = list_products(index, query, PageRequest(last=2, before=last_page.edges[0].cursor))

    # then
    assert titles(last_page) == ["Book 2", "Book 1"]
    assert titles(page) == ["Book 4", "Book 3"]
    assert page.has_next_page


def test_relevance_cursors_position_by_the_relevance_they_carry() -> None:
    # given
    index = index_of(
        make_product("Dragon Rider", id="p1"),
        make_product("Dragon", id="p2"),
        make_product("Dragonflight", id="p3"),
        make_product("Dragonsbane", id="p4"),
    )
    query = replace(USD, text="dragon", sort=ProductSort.RELEVANCE)
    first_page = list_products(index, query, PageRequest(first=2))

    # when
    rest = list_products(index, query, PageRequest(first=2, after=first_page.edges[-1].cursor))

    # then
    assert titles(first_page) == ["Dragon", "Dragon Rider"]
    assert titles(rest) == ["Dragonflight", "Dragonsbane"]


def test_cursors_are_url_safe_whatever_the_title() -> None:
    # given
    index = index_of(make_product("Ærø & Co / Guide?"))

    # when
    cursor = list_products(index, USD, PageRequest()).edges[0].cursor

    # then
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


# --- Invalid requests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "field", "message"),
    [
        (PageRequest(first=-1), "first", "first must be between 0 and 100"),
        (PageRequest(first=101), "first", "first must be between 0 and 100"),
        (PageRequest(last=-1), "last", "last must be between 0 and 100"),
        (PageRequest(last=101), "last", "last must be between 0 and 100"),
        (PageRequest(first=1, last=1), "last", "first and last cannot be used together"),
    ],
)
def test_page_sizes_outside_the_limits_are_refused(
    page: PageRequest, field: str, message: str
) -> None:
    # given
    index = shelf(3)

    # when
    with pytest.raises(InvalidPageRequest) as raised:
        list_products(index, USD, page)

    # then
    assert raised.value.code == "INVALID_PAGE_REQUEST"
    assert raised.value.field == field
    assert str(raised.value) == message


def test_page_size_limit_follows_the_maximum_page_size() -> None:
    # given
    index = shelf(3)

    # when
    with pytest.raises(InvalidPageRequest) as raised:
        list_products(index, USD, PageRequest(first=11), max_page_size=10)

    # then
    assert str(raised.value) == "first must be between 0 and 10"


def test_listing_errors_are_value_errors_with_a_code() -> None:
    # given
    index = shelf(3)

    # when
    with pytest.raises(ValueError, match="between") as raised:
        list_products(index, USD, PageRequest(first=-5))

    # then
    assert isinstance(raised.value, ListingError)
    assert raised.value.code == "INVALID_PAGE_REQUEST"


def a_cursor(query: ProductQuery = USD) -> str:
    return list_products(shelf(3), query, PageRequest(first=1)).edges[0].cursor


TAMPERED = [
    pytest.param("", id="empty"),
    pytest.param("not a cursor!", id="outside the url-safe alphabet"),
    pytest.param("abcde", id="impossible base64 length"),
    pytest.param(base64.urlsafe_b64encode(b"\xff\xfe").decode(), id="not utf-8"),
    pytest.param(forge_cursor(None).rstrip("=") + "x", id="not json"),
    pytest.param(forge_cursor([1, 2]), id="json of the wrong shape"),
    pytest.param(forge_cursor({"s": "TITLE", "r": False, "c": None}), id="no key"),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [0, "book", 7]}),
        id="id of the wrong type",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [0, "book"]}),
        id="key too short",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [1, "book", "p1"]}),
        id="unpriced group outside the price sort",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [0, "book", ""]}),
        id="empty id",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": 0, "c": None, "k": [0, "book", "p1"]}),
        id="reverse flag not a boolean",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [0, "book", "p1"], "x": 1}),
        id="extra field",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [False, "book", "p1"]}),
        id="boolean passed off as a number",
    ),
    pytest.param(
        forge_cursor({"s": "TITLE", "r": False, "c": None, "k": [0, "book", "p1"]}) + "==",
        id="padded",
    ),
    pytest.param(
        base64.urlsafe_b64encode(b'{"s": "TITLE", "r": false, "c": null, "k": [0, "b", "p1"]}')
        .decode()
        .rstrip("="),
        id="re-encoded json",
    ),
    pytest.param("W" * 20_000, id="far too long"),
]


@pytest.mark.parametrize("cursor", TAMPERED)
@pytest.mark.parametrize("field", ["after", "before"])
def test_malformed_or_tampered_cursors_are_refused(cursor: str, field: str) -> None:
    # given
    index = shelf(3)
    page = PageRequest(**{field: cursor})  # type: ignore[arg-type]

    # when
    with pytest.raises(InvalidCursor) as raised:
        list_products(index, USD, page)

    # then
    assert raised.value.code == "INVALID_CURSOR"
    assert raised.value.field == field


def test_a_deeply_nested_cursor_is_refused() -> None:
    # given
    nested = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode().rstrip("=")

    # when
    with pytest.raises(InvalidCursor) as raised:
        list_products(shelf(3), USD, PageRequest(after=nested))

    # then
    assert raised.value.code == "INVALID_CURSOR"


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        pytest.param(USD, replace(USD, sort=ProductSort.PRICE), id="another sort"),
        pytest.param(USD, replace(USD, reverse=True), id="reversed"),
        pytest.param(
            replace(USD, sort=ProductSort.PRICE),
            ProductQuery(currency=Currency.EUR, sort=ProductSort.PRICE),
            id="prices in another currency",
        ),
        pytest.param(
            replace(USD, sort=ProductSort.RELEVANCE, text="book"),
            replace(USD, sort=ProductSort.TITLE, text="book"),
            id="relevance used for title",
        ),
    ],
)
def test_a_cursor_of_another_order_is_refused(
    issued_for: ProductQuery, used_for: ProductQuery
) -> None:
    # given
    cursor = a_cursor(issued_for)

    # when
    with pytest.raises(InvalidCursor) as raised:
        list_products(shelf(3), used_for, PageRequest(after=cursor))

    # then
    assert raised.value.code == "INVALID_CURSOR"
    assert raised.value.field == "after"
    assert "sort order" in str(raised.value)


def test_a_cursor_stays_valid_when_the_filters_change() -> None:
    # given
    cursor = a_cursor(USD)

    # when
    page = list_products(shelf(3), replace(USD, in_stock=True), PageRequest(after=cursor))

    # then
    assert page.has_previous_page


def test_a_cursor_carries_the_sort_key_of_its_product() -> None:
    # given
    index = index_of(make_product("Dune", id="p9", price=1250))

    # when
    cursor = list_products(index, replace(USD, sort=ProductSort.PRICE), PageRequest()).edges[0]

    # then
    assert read_cursor(cursor.cursor) == {
        "s": "PRICE",
        "r": False,
        "c": "USD",
        "k": [0, 1250, "p9"],
    }


# --- Properties --------------------------------------------------------------------------------


@st.composite
def catalogs(draw: st.DrawFn) -> ListingIndex:
    count = draw(st.integers(min_value=0, max_value=25))
    products = [
        make_product(
            draw(st.sampled_from(["Dune", "dune", "Emma", "Dragon", "Dragonfly Sea"])),
            id=f"p{n:02d}",
            price=draw(st.one_of(st.none(), st.sampled_from([100, 200, 300]))),
            created_at=days_after_launch(draw(st.integers(min_value=0, max_value=3))),
            published=draw(st.booleans()),
        )
        for n in range(count)
    ]
    # Some products with reviews: counts per star rating, often tied on the shown average.
    ratings = {
        p.id: ProductRating(
            (
                draw(st.integers(0, 2)),
                draw(st.integers(0, 2)),
                draw(st.integers(0, 2)),
                draw(st.integers(0, 2)),
                draw(st.integers(0, 2)),
            )
        )
        for p in products
        if draw(st.booleans())
    }
    rated = {pid: r for pid, r in ratings.items() if r.count > 0}
    return build_index(replace(make_snapshot(*products), ratings=rated))


queries = st.builds(
    ProductQuery,
    currency=st.just(Currency.USD),
    text=st.sampled_from([None, "drag", "dragon sea", "dune"]),
    sort=st.sampled_from(ProductSort),
    reverse=st.booleans(),
    include_unpublished=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(index=catalogs(), query=queries, size=st.integers(min_value=1, max_value=7))
def test_paging_with_any_page_size_visits_every_match_once_in_order(
    index: ListingIndex, query: ProductQuery, size: int
) -> None:
    # given
    expected = all_ids(index, query)

    # when
    forward = ids_forward(index, query, size)
    backward = ids_backward(index, query, size)

    # then
    assert forward == expected
    assert backward == expected
    assert len(set(expected)) == len(expected)


def expected_order(index: ListingIndex, query: ProductQuery) -> list[str]:
    """The documented orders, written out independently of the implementation."""
    products = [p for p in index.products if p.published or query.include_unpublished]
    by_id = sorted(products, key=lambda p: p.id)
    if query.sort is ProductSort.NEWEST:
        ordered = sorted(by_id, key=lambda p: p.created_at, reverse=True)
        return [p.id for p in (ordered[::-1] if query.reverse else ordered)]
    if query.sort is ProductSort.PRICE:
        priced = [p for p in by_id if p.min_price(query.currency) is not None]
        unpriced = [p for p in by_id if p.min_price(query.currency) is None]
        priced.sort(key=lambda p: p.min_price(query.currency))  # type: ignore[arg-type, return-value]
        if query.reverse:
            priced, unpriced = priced[::-1], unpriced[::-1]
        return [p.id for p in priced + unpriced]
    if query.sort is ProductSort.RATING:
        position = {p.id: i for i, p in enumerate(index.products)}
        rated = [p for p in by_id if index.rating_tenths[position[p.id]] >= 0]
        unrated = [p for p in by_id if index.rating_tenths[position[p.id]] < 0]
        # Shown average (tenths), higher first; then more reviews first; then by id.
        rated.sort(key=lambda p: -index.rating_counts[position[p.id]])
        rated.sort(key=lambda p: -index.rating_tenths[position[p.id]])
        if query.reverse:
            rated, unrated = rated[::-1], unrated[::-1]
        return [p.id for p in rated + unrated]
    ordered = sorted(by_id, key=lambda p: p.title.casefold())
    return [p.id for p in (ordered[::-1] if query.reverse else ordered)]


@settings(max_examples=200, deadline=None)
@given(index=catalogs(), query=queries.filter(lambda q: q.sort is not ProductSort.RELEVANCE))
def test_title_price_and_newest_orders_are_the_documented_ones(
    index: ListingIndex, query: ProductQuery
) -> None:
    # given
    unfiltered = replace(query, text=None)

    # when
    listed = all_ids(index, unfiltered)

    # then
    assert listed == expected_order(index, unfiltered)
