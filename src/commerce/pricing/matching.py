"""Which of a cart's lines each selector matches, answered from an index built once per cart.

A store has hundreds of live promotions and a cart a handful to a hundred lines: asking
``selectors.matches`` for every (selector, line) pair costs selectors x lines calls on every
cart read. Instead each criterion value (a product id, a collection, an attribute value...)
maps to the set of lines that have it, as an integer bit mask over the cart's lines, and a
selector's lines are unions (``ANY``) or intersections (``ALL``) of those masks: the cost
follows the selector's size, not the cart's. A selector naming nothing in the cart costs a
few dictionary misses, which is how offers for other items drop out before any search.

The result is the same as ``selectors.matches`` line by line (a property test holds the
two together).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from commerce.pricing.model import CartLine, ItemKind, Match, Selector


def _index(pairs: Iterable[tuple[Hashable, int]]) -> dict[Hashable, int]:
    masks: dict[Hashable, int] = {}
    for key, bit in pairs:
        masks[key] = masks.get(key, 0) | bit
    return masks


class Matcher:
    """The lines each selector matches, worked out once per pricing for every candidate.

    Keyed by the selector's identity: the promotions (and so their selectors) live for the
    whole pricing, and hashing a selector's fields on every lookup costs more than the index.
    """

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self._lines = tuple(lines)
        self._all = (1 << len(self._lines)) - 1
        bits = [(line, 1 << k) for k, line in enumerate(self._lines)]
        self._products = _index((ln.product_id, b) for ln, b in bits)
        # Variants are named by (product id, variant id), as ``Selector.variant_ids`` holds them.
        self._variants = _index(((ln.product_id, ln.variant_id), b) for ln, b in bits)
        self._collections = _index((c, b) for ln, b in bits for c in ln.collection_ids)
        self._tags = _index((t, b) for ln, b in bits for t in ln.tags)
        self._kinds = _index((ln.kind, b) for ln, b in bits)
        self._attributes = _index((a, b) for ln, b in bits for a in ln.attributes)
        self._masks: dict[int, int] = {}
        self._known: dict[int, frozenset[str]] = {}
        self._indices: dict[int, tuple[int, ...]] = {}
        # Holding the selectors keeps their ids from being reused while the caches live.
        self._held: list[Selector] = []

    @property
    def lines(self) -> tuple[CartLine, ...]:
        """The cart's lines, in the order the masks number them."""
        return self._lines

    def mask(self, selector: Selector) -> int:
        """The lines the selector matches, as a bit mask over ``lines``."""
        known = self._masks.get(id(selector))
        if known is None:
            known = self._mask(selector)
            self._masks[id(selector)] = known
            self._held.append(selector)
        return known

    def _mask(self, selector: Selector) -> int:
        criteria: list[int] = []
        for values, index in (
            (selector.product_ids, self._products),
            (selector.variant_ids, self._variants),
            (selector.collection_ids, self._collections),
            (selector.tags, self._tags),
        ):
            if values:
                criteria.append(_union(index, values))
        if selector.kinds:
            criteria.append(_union(self._kinds, selector.kinds))
        if selector.attributes:
            # One criterion per attribute name: a line has any of the listed values.
            by_name: dict[str, list[tuple[str, str]]] = {}
            for pair in selector.attributes:
                by_name.setdefault(pair[0], []).append(pair)
            criteria.extend(_union(self._attributes, pairs) for pairs in by_name.values())
        criteria.extend(self.mask(child) for child in selector.children)
        if not criteria:
            return self._all
        if selector.match is Match.ALL:
            found = self._all
            for mask in criteria:
                found &= mask
            return found
        found = 0
        for mask in criteria:
            found |= mask
        return found

    def lines_of(self, selector: Selector) -> frozenset[str]:
        """The ids of the cart's lines the selector matches."""
        known = self._known.get(id(selector))
        if known is None:
            mask = self.mask(selector)
            known = frozenset(ln.line_id for k, ln in enumerate(self._lines) if mask >> k & 1)
            self._known[id(selector)] = known
        return known

    def attribute_mask(self, name: str, value: str) -> int:
        """The lines having ``value`` among their values of attribute ``name``."""
        return self._attributes.get((name, value), 0)

    def indices(self, selector: Selector) -> tuple[int, ...]:
        """The positions in ``lines`` of the lines the selector matches, in order: the
        engine's passes over a promotion's lines visit only those."""
        known = self._indices.get(id(selector))
        if known is None:
            mask = self.mask(selector)
            known = tuple(k for k in range(len(self._lines)) if mask >> k & 1)
            self._indices[id(selector)] = known
        return known

    def __call__(self, selector: Selector, line: CartLine) -> bool:
        return line.line_id in self.lines_of(selector)


def _union(index: dict[Hashable, int], values: Iterable[Hashable | ItemKind]) -> int:
    found = 0
    for value in values:
        found |= index.get(value, 0)
    return found
