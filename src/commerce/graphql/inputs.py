"""Turning a mutation's input into a command, collecting every problem on the way.

A mutation's input type has a ``to_command(errors)`` method: it decodes ids, converts
money and runs the domain's pure checks, recording each failure in ``InputErrors``
with the path of the field at fault, and returns the typed command, or None when any
part could not be decoded. Nothing here returns a stand-in value for a bad field, so a
half-decoded command can never reach a service.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from commerce.graphql.ids import VARIANT_TYPE, local_id_or_none, variant_ref_or_none
from commerce.graphql.money import MoneyInput
from commerce.money import Money
from commerce.problems import Problem
from commerce.variant_refs import VariantRef

Path = str | Sequence[str]


def _path(at: Path) -> tuple[str, ...]:
    return (at,) if isinstance(at, str) else tuple(at)


class InputErrors:
    """The problems found in one mutation's input; ``invalid_id`` is the context's code
    for an id that does not name an object of the expected type."""

    def __init__(self, invalid_id: enum.Enum) -> None:
        self.invalid_id = invalid_id
        self.problems: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.problems)

    def add(self, code: enum.Enum, message: str, at: Path = ()) -> None:
        """Record one problem at the input field ``at``."""
        self.problems.append(Problem(code, message, _path(at)))

    def check(self, problems: Iterable[Problem]) -> bool:
        """Record what a domain check found; True when it found nothing."""
        found = list(problems)
        self.problems += found
        return not found

    def id(self, global_id: str, type_name: str, at: Path) -> str | None:
        """The local id of ``global_id`` when it names a ``type_name``; else None, recorded."""
        local = local_id_or_none(global_id, type_name)
        if local is None:
            self.add(self.invalid_id, f"Not a valid {type_name} ID", at)
        return local

    def optional_id(self, global_id: str | None, type_name: str, at: Path) -> str | None:
        """Like ``id``, for an optional field: None when left out, without a problem."""
        return None if global_id is None else self.id(global_id, type_name, at)

    def ids(self, global_ids: Sequence[str], type_name: str, at: Path) -> list[str] | None:
        """Every id of a list field decoded (problems at ``at.<index>``); None if any failed."""
        base = _path(at)
        decoded = [self.id(g, type_name, (*base, str(i))) for i, g in enumerate(global_ids)]
        if any(d is None for d in decoded):
            return None
        return [d for d in decoded if d is not None]

    def variant(self, global_id: str, at: Path) -> VariantRef | None:
        """The variant a ProductVariant id names; else None, recorded at ``at``."""
        ref = variant_ref_or_none(global_id)
        if ref is None:
            self.add(self.invalid_id, f"Not a valid {VARIANT_TYPE} ID", at)
        return ref

    def variants(self, global_ids: Sequence[str], at: Path) -> list[VariantRef] | None:
        """Every variant of a list field (problems at ``at.<index>``); None if any failed."""
        base = _path(at)
        decoded = [self.variant(g, (*base, str(i))) for i, g in enumerate(global_ids)]
        if any(d is None for d in decoded):
            return None
        return [d for d in decoded if d is not None]

    def money(self, value: MoneyInput, at: Path, code: enum.Enum) -> Money | None:
        """The amount in minor units; None with a ``code`` problem when it has too many
        decimals for its currency."""
        try:
            return Money.from_decimal(value.amount, value.currency_code)
        except ValueError as exc:
            self.add(code, str(exc), at)
            return None

    def amounts(
        self, values: Sequence[MoneyInput], at: Path, code: enum.Enum
    ) -> tuple[Money, ...] | None:
        """Every amount of a list converted (problems at ``at.<index>.amount``); None if any
        failed."""
        base = _path(at)
        converted = [self.money(v, (*base, str(i), "amount"), code) for i, v in enumerate(values)]
        if any(m is None for m in converted):
            return None
        return tuple(m for m in converted if m is not None)
