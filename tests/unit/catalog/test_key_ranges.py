"""Boundaries between two sort keys: strictly between them, ascending, spread out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.catalog.key_ranges import midpoint, split_points
from commerce.ids import new_id

printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)


@settings(derandomize=True, max_examples=300)
@given(printable, printable, st.integers(min_value=0, max_value=40))
def test_points_lie_strictly_between_in_ascending_order(a: str, b: str, parts: int) -> None:
    low, high = min(a, b), max(a, b)
    points = split_points(low, high, parts)
    assert len(points) <= max(parts - 1, 0)
    assert all(low < p < high for p in points)
    assert points == sorted(set(points))


def test_ids_of_one_kind_are_split_into_the_parts_asked_for() -> None:
    ids = sorted(f"PRODUCT#{new_id(now_ms=1_790_000_000_000 + n)}" for n in range(2000))
    points = split_points(ids[0], ids[-1], 8)
    assert len(points) == 7
    sizes = [
        sum(1 for i in ids if lo <= i < hi)
        for lo, hi in zip([ids[0], *points], [*points, ids[-1]], strict=True)
    ]
    assert min(sizes) > 2000 / 8 / 2  # roughly even: ids spread over time


def test_neighbouring_keys_still_have_a_midpoint_and_equal_keys_none() -> None:
    assert midpoint("PRODUCT#a", "PRODUCT#a") is None
    middle = midpoint("PRODUCT#a", "PRODUCT#b")
    assert middle is not None
    assert "PRODUCT#a" < middle < "PRODUCT#b"
    assert midpoint("STOCK#\u00e9", "STOCK#\u00ea") is None  # outside printable ASCII
