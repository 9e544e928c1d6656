"""All-or-nothing writes with conditions that say which of them failed.

PynamoDB reports a cancelled transaction as a list of reasons in its own
sending order (condition checks, deletes, puts, updates), not in call order.
``WriteSet`` keeps a label for every item in that same order, so a caller
learns "the handle is taken" rather than "condition 3 failed".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from commerce.db.table import MAX_TRANSACTION_ITEMS, TableItem, transaction

# Another transaction touched the same item at the same moment: the caller reads
# again and retries, exactly as after a failed version check.
CONFLICT = "conflict"
_RETRYABLE_BY_CALLER = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


class ConditionsFailed(Exception):
    """Some conditions of a write set did not hold; nothing was written."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        super().__init__(f"conditions failed: {', '.join(labels) or 'unknown'}")


class TooManyItems(ValueError):
    """A write set exceeds what one DynamoDB transaction can hold."""


@dataclass
class WriteSet:
    """Items to put and delete in one DynamoDB transaction."""

    _checks: list[tuple[type[TableItem], str, str, Condition, str]] = field(default_factory=list)
    _deletes: list[tuple[TableItem, Condition | None, str]] = field(default_factory=list)
    _puts: list[tuple[TableItem, Condition | None, str]] = field(default_factory=list)
    _updates: list[tuple[TableItem, list[Action], Condition | None, str]] = field(
        default_factory=list
    )

    def put(self, item: TableItem, condition: Condition | None = None, label: str = "") -> None:
        """Write ``item`` whole; versioned items also check their version."""
        self._puts.append((item, condition, label))

    def delete(self, item: TableItem, condition: Condition | None = None, label: str = "") -> None:
        """Remove ``item``; versioned items also check their version."""
        self._deletes.append((item, condition, label))

    def update(
        self,
        item: TableItem,
        actions: list[Action],
        condition: Condition | None = None,
        label: str = "",
    ) -> None:
        """Change attributes of the item with ``item``'s key in place (counters, flags)."""
        self._updates.append((item, actions, condition, label))

    def check(
        self, model: type[TableItem], pk: str, sk: str, condition: Condition, label: str = ""
    ) -> None:
        """Require ``condition`` on an item that is not written."""
        self._checks.append((model, pk, sk, condition, label))

    def __len__(self) -> int:
        return len(self._checks) + len(self._deletes) + len(self._puts) + len(self._updates)

    def commit(self) -> None:
        """Write everything or nothing; ``ConditionsFailed`` names what did not hold."""
        if len(self) == 0:
            return
        if len(self) > MAX_TRANSACTION_ITEMS:
            raise TooManyItems(f"{len(self)} items exceed one transaction")
        labels = (
            [c[4] for c in self._checks]
            + [d[2] for d in self._deletes]
            + [p[2] for p in self._puts]
            + [u[3] for u in self._updates]
        )
        try:
            with transaction() as writes:
                for model, pk, sk, condition, _ in self._checks:
                    writes.condition_check(model, pk, sk, condition=condition)
                for item, maybe, _ in self._deletes:
                    writes.delete(item, condition=maybe)
                for item, maybe, _ in self._puts:
                    writes.save(item, condition=maybe)
                for item, actions, maybe, _ in self._updates:
                    writes.update(item, actions, condition=maybe)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            failed = tuple(
                label if reason.code == "ConditionalCheckFailed" else CONFLICT
                for label, reason in zip(labels, reasons, strict=False)
                if reason is not None and reason.code in _RETRYABLE_BY_CALLER
            )
            if not failed:
                raise
            raise ConditionsFailed(failed) from None
