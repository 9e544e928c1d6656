"""Running a use case from a mutation: the one place a ``Rejected`` becomes a value.

Every mutation reads the same way::

    errors = InputErrors(CartErrorCode.INVALID_ID)
    command = input.to_command(errors)
    carts, shopper = info.context.services.cart, info.context.shopper
    outcome = await run_use_case(info, errors, command, lambda c: carts.add_lines(c, shopper))
    return CartPayload.of(outcome)

When the input had problems the use case never runs and nothing is written; otherwise it
runs in a worker thread (services do blocking storage calls), and a ``Rejected`` it
raises comes back as the outcome's problems. Any other exception is not a business
outcome: it propagates and the HTTP layer masks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.problems import Problem, Rejected

C = TypeVar("C")
T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What a use case gave: its result, or the problems that refused it.

    A result may come with problems too (a placed order whose payment cannot start yet).
    """

    value: T | None = None
    problems: tuple[Problem, ...] = ()

    def map(self, convert: Callable[[T], U]) -> U | None:
        """``convert`` applied to the result; None when there is none."""
        return None if self.value is None else convert(self.value)


async def run_use_case(
    info: Info[Context, None],
    errors: InputErrors,
    command: C | None,
    use_case: Callable[[C], T],
) -> Outcome[T]:
    """The use case's outcome for a decoded command, or the input's problems."""
    if errors.problems:
        return Outcome(problems=tuple(errors.problems))
    if command is None:
        raise ValueError("An input that decoded to no command must say why in InputErrors")
    try:
        value = await info.context.run(use_case, command)
    except Rejected as rejected:
        return Outcome(problems=rejected.problems)
    return Outcome(value=value)


def refused(problems: tuple[Problem, ...] | list[Problem]) -> Outcome[T]:
    """An outcome with no result, for refusals decided before any use case runs."""
    return Outcome(problems=tuple(problems))
