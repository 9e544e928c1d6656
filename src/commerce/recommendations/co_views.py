"""Co-views: how many shoppers viewed two products both, the second signal of RELATED.

Pure. A shopper's recently viewed list (``shoppers.with_views``) says what they viewed
in the last ``view_days``; when a product joins it, each product already there is
co-viewed with it once. A product the shopper views again while it is still on the list
counts nothing more, so a count is the number of shoppers (visitors and customers) who
viewed both within one list's lifetime, not how often one of them clicked back and
forth. Rows are capped to their ``MAX_CO_VIEWED`` strongest partners.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Partners kept per product: enough for a page's related row after filtering.
MAX_CO_VIEWED = 50
# The earlier views of a list that a new view pairs with (the newest first).
PAIR_WINDOW = 10


def add_co_views(
    rows: Mapping[str, Mapping[str, int]],
    new: Sequence[str],
    earlier: Sequence[str],
    cap: int = MAX_CO_VIEWED,
) -> dict[str, dict[str, int]]:
    """The rows that change when ``new`` products join a list holding ``earlier`` ones
    (both without repeats): each new product pairs with every earlier one and with the
    other new ones, once."""
    partners: dict[str, set[str]] = {}
    fresh = list(dict.fromkeys(new))
    before = [pid for pid in dict.fromkeys(earlier) if pid not in fresh][:PAIR_WINDOW]
    for i, pid in enumerate(fresh):
        for other in [*before, *fresh[:i]]:
            partners.setdefault(pid, set()).add(other)
            partners.setdefault(other, set()).add(pid)
    changed: dict[str, dict[str, int]] = {}
    for pid, others in partners.items():
        counts = dict(rows.get(pid, {}))
        for other in others:
            counts[other] = counts.get(other, 0) + 1
        strongest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:cap]
        changed[pid] = dict(strongest)
    return changed


def strongest(counts: Mapping[str, int], first: int) -> list[tuple[str, int]]:
    """A row's partners, most co-viewed first (ties by id, for a stable order)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:first]
