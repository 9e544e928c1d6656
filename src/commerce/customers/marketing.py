"""What promotions may target about a customer: staff tags, derived segments, first order.

Kept apart from the account use cases because carts, product offers and orders need it
without the account machinery (passwords, tokens, sessions): carts read a customer's
``ShopperProfile`` when they price, orders count a payment in the transaction that marks
an order paid, and staff tag customers. Segments are derived on every read
(``model.segments_of``), never stored, so they follow the facts at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from commerce.catalog.service import CatalogService
from commerce.customers import rules, segment_rules
from commerce.customers.commands import CreateSegment, DeleteSegment, UpdateSegment, UpdateTags
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.model import CustomerMarketing, facts_of, segments_of
from commerce.customers.store import marketing as store
from commerce.customers.store import segments as segment_store
from commerce.db.writes import WriteSet
from commerce.orders.model import Order
from commerce.pricing.segments import SegmentRule, rule_segments
from commerce.pricing.shoppers import ShopperProfile
from commerce.problems import Problem, Rejected

_SEGMENT_RETRIES = 5


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CustomerMarketingService:
    """Tags, segments and purchase counts of customers."""

    def __init__(
        self,
        clock: Callable[[], datetime] = _utcnow,
        *,
        catalog: CatalogService | None = None,
    ) -> None:
        self._clock = clock
        # What a paid order's products were (series, authors, collections) for the facts.
        self._catalog = catalog

    def marketing(self, customer_id: str) -> CustomerMarketing | None:
        """The customer's tags, segments (rule segments included, as of now) and purchase
        history; None if there is no such customer. One BatchGetItem."""
        found = self._facts(customer_id)
        if found is None:
            return None
        marketing, rules_ = found
        now = self._clock()
        return replace(
            marketing, segments=marketing.segments | rule_segments(rules_, marketing.facts, now)
        )

    def profile(self, customer_id: str) -> ShopperProfile | None:
        """The customer as the pricing engine sees them (for carts and product offers):
        the rule segments and the facts they are decided from, for pricing to decide."""
        found = self._facts(customer_id)
        if found is None:
            return None
        marketing, rules_ = found
        return ShopperProfile(
            marketing.segments, marketing.tags, marketing.first_order, marketing.facts, rules_
        )

    def _facts(self, customer_id: str) -> tuple[CustomerMarketing, tuple[SegmentRule, ...]] | None:
        found = store.marketing_facts(customer_id)
        if found is None:
            return None
        now = self._clock()
        demographics, history = found.customer.demographics, found.history
        segments = segments_of(demographics, history, now.year, history.tier_segment(now))
        facts = facts_of(demographics, found.tags, history, now.year)
        marketing = CustomerMarketing(customer_id, found.tags, segments, history, facts)
        return marketing, found.rules

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

    def record_paid_order(self, order: Order) -> bool:
        """The events function's count of a paid (or refunded) order: its net value joins
        the customer's lifetime value and, the first time, what it bought from joins the
        series, authors and collections. Idempotent: a redelivered record or a second
        refund changes the value by the difference only. False when nothing changed."""
        if order.customer_id is None or order.paid_amount is None:
            return False
        refunded = order.refunded_amount.amount if order.refunded_amount is not None else 0
        net = max(order.paid_amount.amount - refunded, 0)
        return store.count_order_value(
            order.customer_id, order.id, order.paid_amount.currency, net, self._bought(order)
        )

    def _bought(self, order: Order) -> store.BoughtFrom:
        if self._catalog is None:
            return store.BoughtFrom()
        ids = list(dict.fromkeys(line.product_id for line in order.lines))
        products = self._catalog.products(ids, include_unpublished=True).values()
        return store.BoughtFrom(
            series=frozenset(s.casefold() for p in products for s in p.attribute("series")),
            authors=frozenset(a.casefold() for p in products for a in p.attribute("author")),
            collections=frozenset(c for p in products for c in p.collection_ids),
        )

    def erase_facts(self, customer_id: str) -> int:
        """Forget what segments are decided from: tags, purchase counts, lifetime value,
        what was bought from. Items deleted."""
        return store.erase_facts(customer_id)

    # -- rule segments -------------------------------------------------------------------

    def segments(self) -> tuple[SegmentRule, ...]:
        """Every rule segment, by handle."""
        found, _ = segment_store.get_rules()
        return found

    def create_segment(self, command: CreateSegment) -> SegmentRule:
        """Add a rule segment; its handle must be free."""

        def add(current: tuple[SegmentRule, ...]) -> tuple[SegmentRule, ...]:
            if any(r.handle == command.rule.handle for r in current):
                raise _refused(Code.SEGMENT_HANDLE_TAKEN, "A segment has this handle", "handle")
            if len(current) >= segment_rules.MAX_SEGMENTS:
                raise _refused(
                    Code.TOO_MANY_SEGMENTS,
                    f"A store has at most {segment_rules.MAX_SEGMENTS} segments",
                    "handle",
                )
            return (*current, command.rule)

        self._change_segments(add)
        return command.rule

    def update_segment(self, command: UpdateSegment) -> SegmentRule:
        """Change a rule segment's name, combination or conditions."""
        changed: list[SegmentRule] = []

        def edit(current: tuple[SegmentRule, ...]) -> tuple[SegmentRule, ...]:
            rule = _segment(current, command.handle)
            after = replace(
                rule,
                name=rule.name if command.name is None else command.name,
                match=rule.match if command.match is None else command.match,
                conditions=rule.conditions if command.conditions is None else command.conditions,
            )
            changed[:] = [after]
            return tuple(after if r.handle == rule.handle else r for r in current)

        self._change_segments(edit)
        return changed[0]

    def delete_segment(self, command: DeleteSegment) -> str:
        """Remove a rule segment; promotions naming it then match nobody."""

        def drop(current: tuple[SegmentRule, ...]) -> tuple[SegmentRule, ...]:
            _segment(current, command.handle)
            return tuple(r for r in current if r.handle != command.handle)

        self._change_segments(drop)
        return command.handle

    def _change_segments(
        self, edit: Callable[[tuple[SegmentRule, ...]], tuple[SegmentRule, ...]]
    ) -> None:
        for _ in range(_SEGMENT_RETRIES):
            current, version = segment_store.get_rules()
            after = edit(current)
            try:
                segment_store.put_rules(after, version)
            except segment_store.SegmentsChanged:
                continue
            return
        raise _refused(Code.CONCURRENT_UPDATE, "Segments are being changed elsewhere; try again")


def _refused(code: Code, message: str, *field: str) -> Rejected:
    return Rejected([Problem(code, message, tuple(field))])


def _segment(current: tuple[SegmentRule, ...], handle: str) -> SegmentRule:
    found = next((r for r in current if r.handle == handle), None)
    if found is None:
        raise _refused(Code.SEGMENT_NOT_FOUND, "No segment has this handle", "handle")
    return found
