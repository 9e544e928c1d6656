"""Whether a cart line is one of the items a selector names."""

from __future__ import annotations

from collections.abc import Iterator

from commerce.pricing.model import CartLine, Match, Selector


def _criteria(selector: Selector, line: CartLine) -> Iterator[bool]:
    """Each criterion of the selector, met or not, lazily (ANY stops at the first met)."""
    if selector.product_ids:
        yield line.product_id in selector.product_ids
    if selector.variant_ids:
        yield (line.product_id, line.variant_id) in selector.variant_ids
    if selector.collection_ids:
        yield not selector.collection_ids.isdisjoint(line.collection_ids)
    if selector.tags:
        yield not selector.tags.isdisjoint(line.tags)
    if selector.kinds:
        yield line.kind in selector.kinds
    if selector.attributes:
        for name in sorted({n for n, _ in selector.attributes}):
            wanted = {v for n, v in selector.attributes if n == name}
            yield not line.attribute_values(name).isdisjoint(wanted)
    for child in selector.children:
        yield matches(child, line)


def matches(selector: Selector, line: CartLine) -> bool:
    """True when the line meets the selector (a selector without criteria takes everything)."""
    criteria = _criteria(selector, line)
    if selector.match is Match.ALL:
        return all(criteria)
    first = next(criteria, None)
    return first is None or first or any(criteria)
