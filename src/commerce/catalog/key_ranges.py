"""Sort-key ranges that split one GSI partition into pieces read in parallel.

The catalog partition is read whole only where a snapshot is built. Bounded ranges let
several readers share it (on DynamoDB side by side instead of one page after the
other), and keep what any one Query covers small (on DynamoDB Local a page without a
Limit is priced by the rest of its range, not by the page). Keys are
strings; these helpers pick boundaries between two keys by treating their differing
tails as numbers in the printable ASCII digits. Pure: no I/O.
"""

from __future__ import annotations

# The digits a boundary is written in, in code-point order, so that the numeric order of
# digit strings is the keys' (DynamoDB's UTF-8 byte) order: the id alphabet when both
# tails are ids (then ids spread evenly over the steps), else printable ASCII.
_ID_DIGITS = "0123456789abcdefghjkmnpqrstvwxyz"
_PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))


def _common_prefix(low: str, high: str) -> int:
    size = 0
    for a, b in zip(low, high, strict=False):
        if a != b:
            break
        size += 1
    return size


def _value(tail: str, width: int, digits: str) -> int:
    """``tail`` as a ``width``-digit number (shorter tails padded with the lowest digit)."""
    number = 0
    for char in tail.ljust(width, digits[0]):
        number = number * len(digits) + digits.index(char)
    return number


def _text(number: int, width: int, digits: str) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, len(digits))
        chars.append(digits[digit])
    return "".join(reversed(chars))


def split_points(low: str, high: str, parts: int) -> list[str]:
    """Up to ``parts - 1`` keys strictly between ``low`` and ``high``, in ascending order
    and evenly spaced over the keys' differing tails; none when the keys leave no room
    or use characters outside printable ASCII."""
    if parts < 2 or not low < high:
        return []
    shared = _common_prefix(low, high)
    # Two more digits than the longer tail, so that neighbouring keys still leave room.
    width = max(len(low), len(high)) - shared + 2
    tails = set(low[shared:] + high[shared:])
    digits = _ID_DIGITS if tails <= set(_ID_DIGITS) else _PRINTABLE
    if not tails <= set(digits):
        return []
    start, end = _value(low[shared:], width, digits), _value(high[shared:], width, digits)
    points: list[str] = []
    for n in range(1, parts):
        key = low[:shared] + _text(start + (end - start) * n // parts, width, digits)
        if low < key < high and (not points or points[-1] < key):
            points.append(key)
    return points


def midpoint(low: str, high: str) -> str | None:
    """A key strictly between ``low`` and ``high``, about halfway, or None if none fits."""
    points = split_points(low, high, 2)
    return points[0] if points else None
