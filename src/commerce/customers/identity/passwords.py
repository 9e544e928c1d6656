"""Password hashing: argon2id through argon2-cffi.

Parameters are OWASP's first argon2id profile (m = 19 MiB, t = 2, p = 1), about 35 ms
on one core of this project's machines. Why not the RFC 9106 default (64 MiB, t = 3,
p = 4): a Lambda of 1 GB has well under two vCPUs, so four lanes run one after another
(~170 ms measured) and each concurrent log-in holds 64 MiB; 19 MiB keeps the
memory-hardness that defeats GPU farms while a log-in stays well under 100 ms.
Raising them later is safe: ``needs_rehash`` tells the service to store a fresh hash
the next time the customer logs in with the right password.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True, slots=True)
class HashParameters:
    """argon2id's cost: passes, memory in KiB, lanes."""

    time_cost: int = 2
    memory_cost: int = 19_456
    parallelism: int = 1


DEFAULT_PARAMETERS = HashParameters()
# The decoy for the default parameters, hashed once here rather than by every process
# at start-up (an argon2 hash is ~35 ms of a cold start): any valid hash with the same
# parameters costs the same to verify, and its salt need not be secret.
_DEFAULT_DECOY = (
    "$argon2id$v=19$m=19456,t=2,p=1$rfc+qOH8619es44BIodFIw"
    "$9NzJ9ILSZ6TESgosJ+YMp+cVJN1YBVW7cXbIvq2PZhc"
)


class Passwords:
    """Hashes and verifies passwords with one set of parameters."""

    def __init__(self, parameters: HashParameters = DEFAULT_PARAMETERS) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_cost,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )
        # Verified when the email is unknown, so that "no such account" takes as long as
        # "wrong password" and timing does not reveal who has an account.
        self._decoy = (
            _DEFAULT_DECOY
            if parameters == DEFAULT_PARAMETERS
            else self._hasher.hash("decoy password, never matches")
        )

    def hash(self, password: str) -> str:
        """The encoded hash (parameters and salt included) to store."""
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (a decoy hash is checked when None)."""
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True
