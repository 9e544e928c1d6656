"""Business failures as values: a code, the input field it concerns, a message.

Every context defines its own code enum in ``<context>/errors.py``; a use case
that cannot proceed raises ``Rejected`` with one or more ``Problem``s, and the
GraphQL layer turns them into the payload's ``userErrors``. Nothing is written
when a use case is rejected.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an input was refused."""

    code: enum.Enum
    message: str
    field: tuple[str, ...] = ()


class Rejected(Exception):
    """A use case refused its input; ``problems`` says why, field by field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("Rejected needs at least one problem")
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))
