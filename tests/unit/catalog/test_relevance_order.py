"""Relevance order, taken class by class, against the documented order written out."""

from __future__ import annotations

from dataclasses import replace

from factories import make_product, make_snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.catalog.listing import (
    ListingIndex,
    PageRequest,
    ProductPage,
    ProductQuery,
    ProductSort,
    build_index,
    list_products,
)
from commerce.catalog.model import search_terms, tokenize_query
from commerce.money import Currency

WORDS = ["ash", "ashen", "bell", "belle", "sea", "seal", "dragon", "drag"]
QUERIES = ["ash", "as", "bell sea", "drag", "dragon ash", "se", "belle seal drag", "sea sea"]


@st.composite
def catalogs(draw: st.DrawFn) -> ListingIndex:
    count = draw(st.integers(min_value=0, max_value=40))
    words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)
    products = [
        make_product(
            " ".join(draw(words)),
            id=f"p{n:02d}",
            author=" ".join(draw(words)) if draw(st.booleans()) else None,
            published=draw(st.booleans()),
        )
        for n in range(count)
    ]
    return build_index(make_snapshot(*products))


def documented_order(index: ListingIndex, query: ProductQuery) -> list[str]:
    """More whole-word matches first, then more title matches, then title, then id."""
    assert query.text is not None
    words = list(dict.fromkeys(tokenize_query(query.text)))
    listed = []
    for product in index.products:
        if not (product.published or query.include_unpublished):
            continue
        terms = search_terms(product)
        if not all(any(t.startswith(w) for t in terms) for w in words):
            continue
        title_terms = set(tokenize_query(product.title))
        whole = sum(1 for w in words if w in terms)
        in_title = sum(1 for w in words if any(t.startswith(w) for t in title_terms))
        listed.append(((-whole, -in_title, product.title.casefold(), product.id), product.id))
    ordered = [product_id for _, product_id in sorted(listed)]
    return ordered[::-1] if query.reverse else ordered


def forward(index: ListingIndex, query: ProductQuery, size: int) -> list[ProductPage]:
    pages = [list_products(index, query, PageRequest(first=size))]
    while pages[-1].has_next_page and len(pages) <= len(index.products):
        after = pages[-1].edges[-1].cursor
        pages.append(list_products(index, query, PageRequest(first=size, after=after)))
    return pages


def backward(index: ListingIndex, query: ProductQuery, size: int) -> list[ProductPage]:
    pages = [list_products(index, query, PageRequest(last=size))]
    while pages[-1].has_previous_page and len(pages) <= len(index.products):
        before = pages[-1].edges[0].cursor
        pages.append(list_products(index, query, PageRequest(last=size, before=before)))
    return pages[::-1]


def ids(pages: list[ProductPage]) -> list[str]:
    return [edge.product.id for page in pages for edge in page.edges]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    index=catalogs(),
    text=st.sampled_from(QUERIES),
    reverse=st.booleans(),
    include_unpublished=st.booleans(),
    size=st.integers(min_value=1, max_value=9),
)
def test_relevance_pages_list_every_match_once_in_the_documented_order(
    index: ListingIndex, text: str, reverse: bool, include_unpublished: bool, size: int
) -> None:
    # given
    query = ProductQuery(
        currency=Currency.USD,
        text=text,
        sort=ProductSort.RELEVANCE,
        reverse=reverse,
        include_unpublished=include_unpublished,
    )
    expected = documented_order(index, query)

    # when
    pages_forward, pages_backward = forward(index, query, size), backward(index, query, size)

    # then
    assert ids(pages_forward) == expected
    assert ids(pages_backward) == expected
    assert all(page.total_count == len(expected) for page in pages_forward + pages_backward)
    shown_previous = [page.has_previous_page for page in pages_forward]
    assert shown_previous == [i > 0 for i in range(len(pages_forward))]
    assert [p.has_next_page for p in pages_backward][:-1] == [True] * (len(pages_backward) - 1)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(index=catalogs(), text=st.sampled_from(QUERIES), size=st.integers(min_value=1, max_value=5))
def test_a_page_between_two_cursors_holds_exactly_the_matches_between_them(
    index: ListingIndex, text: str, size: int
) -> None:
    # given two cursors of the full listing, some places apart
    query = ProductQuery(currency=Currency.USD, text=text, sort=ProductSort.RELEVANCE)
    everything = list_products(index, query, PageRequest(first=100)).edges
    if len(everything) < 2:
        return
    low, high = 0, min(len(everything) - 1, size + 1)
    after, before = everything[low].cursor, everything[high].cursor

    # when
    first = list_products(index, query, PageRequest(first=size, after=after, before=before))
    last = list_products(index, query, PageRequest(last=size, after=after, before=before))

    # then
    between = [e.product.id for e in everything[low + 1 : high]]
    assert [e.product.id for e in first.edges] == between[:size]
    assert [e.product.id for e in last.edges] == between[-size:] if between else last.edges == ()


def test_a_word_every_product_has_still_orders_by_title_matches() -> None:
    # given every product by the same author, one with the word in its title too
    index = build_index(
        make_snapshot(
            make_product("Bell", id="p1", author="Sea"),
            make_product("Ash", id="p2", author="Sea"),
            make_product("Sea Bell", id="p3", author="Sea"),
        )
    )
    query = ProductQuery(currency=Currency.USD, text="sea", sort=ProductSort.RELEVANCE)

    # when
    listed = list_products(index, query, PageRequest(first=10))
    reversed_listing = list_products(index, replace(query, reverse=True), PageRequest(first=10))

    # then
    assert [e.product.title for e in listed.edges] == ["Sea Bell", "Ash", "Bell"]
    assert [e.product.title for e in reversed_listing.edges] == ["Bell", "Ash", "Sea Bell"]
