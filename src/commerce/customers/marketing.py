"""What promotions may target about a customer: staff tags, derived segments, first order.

Kept apart from the account use cases because carts, product offers and orders need it
without the account machinery (passwords, tokens, sessions): carts read a customer's
``ShopperProfile`` when they price, orders count a payment in the transaction that marks
an order paid, and staff tag customers. Segments are derived on every read
(``model.segments_of``), never stored, so they follow the facts at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from commerce.customers import rules
from commerce.customers.commands import UpdateTags
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import CustomerMarketing, segments_of
from commerce.customers.store import marketing as store
from commerce.db.writes import WriteSet
from commerce.pricing.shoppers import ShopperProfile
from commerce.problems import Problem, Rejected


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CustomerMarketingService:
    """Tags, segments and purchase counts of customers."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow) -> None:
        self._clock = clock

    def marketing(self, customer_id: str) -> CustomerMarketing | None:
        """The customer's tags, segments and purchase history; None if there is no such
        customer. One BatchGetItem."""
        found = store.marketing_facts(customer_id)
        if found is None:
            return None
        customer, tags, history = found
        now = self._clock()
        segments = segments_of(customer.demographics, history, now.year, history.tier_segment(now))
        return CustomerMarketing(customer_id, tags, segments, history)

    def profile(self, customer_id: str) -> ShopperProfile | None:
        """The customer as the pricing engine sees them (for carts and product offers)."""
        found = self.marketing(customer_id)
        if found is None:
            return None
        return ShopperProfile(found.segments, found.tags, found.first_order)

    def update_tags(self, command: UpdateTags) -> CustomerMarketing:
        """Staff add and remove tags (normalised by the command); ``Rejected`` changes
        nothing."""
        customer_id, adding, removing = command.customer_id, command.add, command.remove
        current = self.marketing(customer_id)
        if current is None:
            raise Rejected(
                [Problem(Code.CUSTOMER_NOT_FOUND, "Customer not found", ("customerId",))]
            )
        after = (current.tags | adding) - removing
        problems = rules.check_tag_count(after, "add")
        if problems:
            raise Rejected(problems)
        if after != current.tags:
            store.change_tags(customer_id, adding - removing, removing)
        changed = self.marketing(customer_id)
        assert changed is not None  # customers are never deleted
        return changed

    @staticmethod
    def record_tiers(
        writes: WriteSet, customer_id: str, tiers: tuple[tuple[str, datetime | None], ...]
    ) -> None:
        """Keep the customer's loyalty tiers to come (segment, until) in loyalty's
        transaction, so segments read them with the rest, at no extra read."""
        store.record_tiers(writes, customer_id, tiers)

    @staticmethod
    def add_paid_order(writes: WriteSet, customer_id: str, at: datetime) -> None:
        """Count a paid order in the transaction that marks it paid (once, by its version)."""
        store.add_paid_order(writes, customer_id, at)
