"""Segments derived from a customer's profile and purchases; staff tags as stored."""

from __future__ import annotations

import pytest

from commerce.customers.model import Demographics, Gender, PurchaseHistory, segments_of
from commerce.customers.rules import check_tag_count, normalize_tags
from commerce.problems import Problem


def test_a_new_customer_with_no_profile_is_only_first_time() -> None:
    assert segments_of(Demographics(), PurchaseHistory(), 2026) == {"first-time"}


def test_purchases_country_age_and_gender_each_add_a_segment() -> None:
    profile = Demographics(country="FR", birth_year=1990, gender=Gender.NON_BINARY)

    found = segments_of(profile, PurchaseHistory(paid_orders=5), 2026)

    assert found == {"returning", "loyal", "country:fr", "age:35-44", "gender:non-binary"}


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [(2010, "under-18"), (2008, "18-24"), (2002, "18-24"), (2001, "25-34"), (1961, "65-plus")],
)
def test_age_bands_include_their_lower_bound(birth_year: int, band: str) -> None:
    found = segments_of(Demographics(birth_year=birth_year), PurchaseHistory(1), 2026)

    assert f"age:{band}" in found


def test_a_customer_who_prefers_not_to_say_has_no_gender_segment() -> None:
    found = segments_of(Demographics(gender=Gender.PREFER_NOT_TO_SAY), PurchaseHistory(), 2026)

    assert found == {"first-time"}


def test_tags_are_trimmed_lower_cased_and_each_bad_one_named() -> None:
    problems: list[Problem] = []

    tags = normalize_tags(
        ["  VIP  Club ", "vip club", "ok:1", "", "a" * 41, "bad/tag"], "add", problems
    )

    assert tags == {"vip club", "ok:1"}
    assert [(p.code.value, p.field) for p in problems] == [
        ("BLANK", ("add", "3")),
        ("TOO_LONG", ("add", "4")),
        ("INVALID", ("add", "5")),
    ]


def test_fifty_tags_fit_and_fifty_one_do_not() -> None:
    assert check_tag_count(frozenset(f"t{n}" for n in range(50)), "add") == []
    assert [
        p.code.value for p in check_tag_count(frozenset(f"t{n}" for n in range(51)), "add")
    ] == ["TOO_MANY_TAGS"]
