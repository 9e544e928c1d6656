"""Stock as of a moment: the nearest stamped level plus the deltas after it equals the
sum of every movement up to that moment, whichever levels the events function stamped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.inventory.model import MovementKind, StockMovement, level_as_of

START = datetime(2026, 11, 1, tzinfo=UTC)


def movement(i: int, delta: int, level: int | None) -> StockMovement:
    return StockMovement(
        id=f"{i:05d}",
        product_id="p",
        variant_id="v",
        kind=MovementKind.CHECKOUT if delta < 0 else MovementKind.RELEASE,
        delta=delta,
        at=START + timedelta(minutes=i),
        level=level,
    )


@settings(derandomize=True, max_examples=300)
@given(
    deltas=st.lists(st.integers(-50, 50).filter(bool), max_size=40),
    stamped=st.lists(st.booleans(), min_size=40, max_size=40),
    cut=st.integers(0, 40),
)
def test_stock_as_of_a_moment_is_the_sum_of_the_movements_up_to_it(
    deltas: list[int], stamped: list[bool], cut: int
) -> None:
    running, ledger = 0, []
    for i, delta in enumerate(deltas):
        running += delta
        ledger.append(movement(i, delta, running if stamped[i] else None))
    upto = ledger[:cut]
    assert level_as_of(reversed(upto)) == sum(m.delta for m in upto)


def test_no_movement_yet_is_no_stock() -> None:
    assert level_as_of([]) == 0


def test_a_stamped_level_ends_the_walk_and_later_deltas_add_to_it() -> None:
    newest_first = [movement(2, -3, None), movement(1, 2, 12), movement(0, 10, None)]
    assert level_as_of(newest_first) == 9
