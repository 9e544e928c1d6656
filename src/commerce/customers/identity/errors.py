"""Identity's refusals: the codes are ``CustomerErrorCode`` (clients see one enum for
every customer mutation); a throttled log-in also says when to try again."""

from __future__ import annotations

from dataclasses import dataclass

from commerce.customers.errors import CustomerErrorCode as Code
from commerce.problems import Problem, Rejected


@dataclass(frozen=True, slots=True)
class TooManyAttempts(Problem):
    """Too many failed log-ins: ``retry_after`` seconds until the next attempt is heard.

    A ``Problem`` of its own kind so the number survives the trip to the payload, which
    shows it as ``retryAfterSeconds``.
    """

    retry_after: float = 0.0

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds, rounded up, never less than one."""
        return max(1, int(self.retry_after + 0.999))


def too_many_attempts(retry_after: float) -> Rejected:
    """The refusal of a throttled log-in."""
    seconds = max(1, int(retry_after + 0.999))
    return Rejected(
        [
            TooManyAttempts(
                Code.TOO_MANY_ATTEMPTS,
                f"Too many failed log-ins; try again in {seconds} s",
                (),
                retry_after,
            )
        ]
    )


def rejected(code: Code, message: str, *field: str) -> Rejected:
    """A refusal with one problem at ``field``."""
    return Rejected([Problem(code, message, tuple(field))])
