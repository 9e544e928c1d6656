"""The one shape of a business refusal in the schema: ``userErrors { field message code }``.

``UserError`` is the interface every context's error type implements; the context adds
only its ``code``, an enum from its own domain ``errors.py``. Clients can select
``... on UserError { field message }`` on any payload, and the code tells programs why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

import strawberry

from commerce.problems import Problem


@strawberry.interface(description="Why an input was refused, and which input field it concerns.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["lines", "0", "quantity"].'
    )
    message: str = strawberry.field(description="What is wrong, for people.")

    @classmethod
    def from_problem(cls, problem: Problem) -> Self:
        """The error a client sees for one ``Problem`` (its code is the subclass's enum)."""
        # The subclass declares ``code``; the base cannot name it for the type checker.
        make: Any = cls
        error: Self = make(
            field=list(problem.field) or None, message=problem.message, code=problem.code
        )
        return error

    @classmethod
    def list_of(cls, problems: Iterable[Problem]) -> list[Self]:
        """One error per problem, in order."""
        return [cls.from_problem(p) for p in problems]
