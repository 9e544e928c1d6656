"""The co-occurrence model: counts, the stream's refresh, similarity, decayed affinity."""

from __future__ import annotations

import pytest

from commerce.recommendations.model import (
    ItemCounts,
    Pair,
    Purchase,
    Similarity,
    Weights,
    add_basket,
    affinity,
    count_baskets,
    neighbours,
    personal_scores,
    similarity,
)

BASKETS = [{"a", "b"}, {"a", "b", "c"}, {"a", "c"}, {"d"}]


def test_counting_baskets_counts_each_product_and_each_pair_once_per_basket() -> None:
    rows = count_baskets(BASKETS)
    assert rows["a"] == ItemCounts(3, {"b": Pair(2, 2), "c": Pair(2, 2)})
    assert rows["d"] == ItemCounts(1, {})


def test_adding_baskets_one_by_one_counts_what_a_full_count_counts() -> None:
    rows: dict[str, ItemCounts] = {}
    for basket in BASKETS:
        rows.update(add_basket(rows, basket))
    full = count_baskets(BASKETS)
    assert {p: r.occurrences for p, r in rows.items()} == {
        p: r.occurrences for p, r in full.items()
    }
    for product, row in rows.items():
        assert {q: pair.together for q, pair in row.pairs.items()} == {
            q: pair.together for q, pair in full[product].pairs.items()
        }
        # a partner's own count is the one last seen with this product: never above the
        # true one, refreshed by the next training run
        for partner, pair in row.pairs.items():
            assert pair.partner_occurrences <= full[partner].occurrences


def test_a_row_keeps_only_its_strongest_partners() -> None:
    rows = count_baskets([{"a", "b"}, {"a", "b"}, {"a", "c"}], max_pairs=1)
    assert rows["a"].pairs == {"b": Pair(2, 2)}


def test_jaccard_is_the_share_of_baskets_with_either_that_hold_both() -> None:
    assert similarity(2, 3, 2) == pytest.approx(2 / 3)
    assert similarity(2, 3, 2, Similarity.LIFT) == pytest.approx(2 / 6)
    assert similarity(0, 3, 2) == 0.0


def test_neighbours_are_ranked_by_similarity() -> None:
    rows = count_baskets([{"a", "b"}, {"a", "b"}, {"a", "c"}, {"c"}, {"c"}])
    assert [n.product_id for n in neighbours(rows["a"], 5)] == ["b", "c"]


def test_a_purchase_weighs_half_after_one_half_life() -> None:
    weights = affinity([Purchase("a", 0.0), Purchase("b", 10.0)], now=10.0, half_life=10.0)
    assert weights == {"a": pytest.approx(0.5), "b": pytest.approx(1.0)}


def test_scores_blend_buying_again_with_neighbours_and_name_the_seed() -> None:
    lists = {"a": neighbours(count_baskets([{"a", "b"}, {"a", "b"}, {"a"}])["a"], 5)}
    scored = personal_scores({"a": 1.0}, lists, Weights(repeat=1.0, neighbour=1.0))
    assert [(s.product_id, s.because_of) for s in scored] == [("a", None), ("b", "a")]
    # a one-off already owned is never offered again, but still brings its neighbours
    owned = personal_scores({"a": 1.0}, lists, Weights(), repeatable=set())
    assert [(s.product_id, s.because_of) for s in owned] == [("b", "a")]
