"""Promotions and discount codes: staff's changes and a code's uses.

Staff create, change and delete promotions (checked by ``rules.py``), give a promotion one
shared code or a batch of unique generated ones. An order uses its codes once: counted on
condition that every limit still holds, given back when the order is cancelled or its
payment fails. The pricing engine reads ``live_promotions`` and ``codes_for_pricing``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from commerce.catalog import model as catalog
from commerce.catalog.view_cache import ViewCache
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import is_id, new_id
from commerce.money import Currency
from commerce.pricing.model import (
    CartLine,
    Conditions,
    DiscountCode,
    ItemKind,
    ItemsOff,
    PricingContext,
    Promotion,
    Selector,
    normalize_code,
)
from commerce.problems import Problem, Rejected
from commerce.promotions import store
from commerce.promotions.errors import PromotionErrorCode as Code
from commerce.promotions.product_offers import ProductOffer, product_offers
from commerce.promotions.rules import code_problems, promotion_problems
from commerce.variant_refs import VariantRef

MAX_GENERATED = 1000
GENERATED_LENGTH = 10
# No 0/O or 1/I/L: generated codes are read from paper and typed by hand.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_ATTEMPTS = 3


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _not_found(promotion_id: str) -> Rejected:
    return Rejected([Problem(Code.NOT_FOUND, f"No promotion {promotion_id}", ("id",))])


def _concurrent() -> Rejected:
    return Rejected([Problem(Code.CONCURRENT_UPDATE, "Changed meanwhile; read it again", ())])


class PromotionsService:
    """Use cases of the promotions context."""

    def __init__(self, now: Callable[[], datetime] = _utcnow, *, cache_seconds: float = 0) -> None:
        self._now = now
        # Every cart read prices through the promotions: they are kept as long as the
        # catalog view (``catalog_cache_seconds``) and dropped by this process's changes.
        self._cache: ViewCache[list[Promotion]] = ViewCache(
            store.list_promotions, fresh_seconds=cache_seconds, stale_seconds=cache_seconds
        )

    # -- promotions --------------------------------------------------------------------------

    def create_promotion(self, draft: Promotion) -> Promotion:
        """Store a new promotion (its id is given here)."""
        promotion = replace(draft, id=new_id())
        problems = promotion_problems(promotion)
        if problems:
            raise Rejected(problems)
        store.save_promotion(promotion, None)
        self._cache.invalidate()
        return promotion

    def update_promotion(self, promotion: Promotion) -> Promotion:
        """Replace a promotion whole; ``CONCURRENT_UPDATE`` if it changed meanwhile."""
        record = store.get_promotion(promotion.id)
        if record is None:
            raise _not_found(promotion.id)
        problems = promotion_problems(promotion)
        if problems:
            raise Rejected(problems)
        try:
            store.save_promotion(promotion, record.version)
        except store.PromotionChanged:
            raise _concurrent() from None
        self._cache.invalidate()
        return promotion

    def delete_promotion(self, promotion_id: str) -> str:
        """Remove a promotion (its id is returned); its codes are refused as unknown from
        then on."""
        record = store.get_promotion(promotion_id)
        if record is None:
            raise _not_found(promotion_id)
        try:
            store.delete_promotion(promotion_id, record.version)
        except store.PromotionChanged:
            raise _concurrent() from None
        self._cache.invalidate()
        return promotion_id

    def promotion(self, promotion_id: str) -> Promotion | None:
        """One promotion, if it exists."""
        record = store.get_promotion(promotion_id)
        return None if record is None else record.promotion

    def promotions(self) -> list[Promotion]:
        """Every promotion, ended ones included (for staff)."""
        return store.list_promotions()

    def live_promotions(self) -> list[Promotion]:
        """The promotions not yet ended: what the pricing engine is given."""
        now = self._now()
        return [
            p
            for p in store.list_promotions()
            if p.conditions.ends_at is None or p.conditions.ends_at > now
        ]

    def promotions_for_pricing(self) -> list[Promotion]:
        """The promotions not yet ended, from the in-process cache while it is fresh."""
        now = self._now()
        return [
            p
            for p in self._cache.get()
            if p.conditions.ends_at is None or p.conditions.ends_at > now
        ]

    def offers_for_product(
        self, product: catalog.Product, context: PricingContext
    ) -> list[ProductOffer]:
        """The live item offers on a product for this shopper (its first variant priced in
        the context's currency; none when no variant is). From the same cache as carts, so
        a product page costs no promotions read while it is warm."""
        line = product_line(product, context.currency)
        if line is None:
            return []
        return product_offers(line, self.promotions_for_pricing(), context)

    # -- codes -------------------------------------------------------------------------------

    def create_code(
        self,
        promotion_id: str,
        code: str,
        *,
        usage_limit: int | None = None,
        per_customer_limit: int | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        customer_id: str | None = None,
    ) -> DiscountCode:
        """One shared code for a promotion (``CODE_TAKEN`` if the text exists); with
        ``customer_id``, a personal offer only that customer may apply."""
        text = normalize_code(code)
        problems = code_problems(text, usage_limit, per_customer_limit)
        if starts_at is not None and ends_at is not None and starts_at >= ends_at:
            problems.append(
                Problem(Code.INVALID_DATES, "The end must come after the start", ("endsAt",))
            )
        if problems:
            raise Rejected(problems)
        if store.get_promotion(promotion_id) is None:
            raise _not_found(promotion_id)
        created = DiscountCode(
            text,
            promotion_id,
            usage_limit,
            per_customer_limit,
            starts_at=starts_at,
            ends_at=ends_at,
            customer_id=customer_id,
        )
        try:
            store.create_codes([created])
        except store.CodesTaken:
            raise Rejected([Problem(Code.CODE_TAKEN, f"Code {text} exists", ("code",))]) from None
        return created

    def generate_codes(
        self,
        promotion_id: str,
        count: int,
        *,
        prefix: str = "",
        usage_limit: int | None = 1,
        per_customer_limit: int | None = None,
    ) -> list[DiscountCode]:
        """``count`` unique random codes (``PREFIX`` + 10 characters) for a promotion."""
        prefix = normalize_code(prefix)
        problems = code_problems(
            f"{prefix}{'A' * GENERATED_LENGTH}"[:32], usage_limit, per_customer_limit
        )
        if len(prefix) + GENERATED_LENGTH > 32:
            problems.append(Problem(Code.INVALID_CODE, "The prefix is too long", ("prefix",)))
        if not 1 <= count <= MAX_GENERATED:
            problems.append(
                Problem(Code.TOO_LARGE, f"Generate 1 to {MAX_GENERATED} codes", ("count",))
            )
        if problems:
            raise Rejected(problems)
        if store.get_promotion(promotion_id) is None:
            raise _not_found(promotion_id)
        made: list[DiscountCode] = []
        wanted = count
        for _ in range(MAX_ATTEMPTS):
            batch = [
                DiscountCode(
                    prefix
                    + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(GENERATED_LENGTH)),
                    promotion_id,
                    usage_limit,
                    per_customer_limit,
                )
                for _ in range(wanted)
            ]
            batch = list({c.code: c for c in batch}.values())
            try:
                store.create_codes(batch)
                made += batch
            except store.CodesTaken as taken:
                # Batches before the clash are written; keep those and draw the rest again.
                written = set(taken.written)
                made += [c for c in batch if c.code in written]
            wanted = count - len(made)
            if wanted == 0:
                return made
        raise _concurrent()

    def issue_personal_offer(
        self,
        customer_id: str | None,
        product_ids: Sequence[str],
        percent: Decimal,
        expires_at: datetime,
        *,
        variants: Sequence[VariantRef] = (),
        cart_digest: str | None = None,
    ) -> DiscountCode:
        """A single-use code worth ``percent`` off the products, for one customer only
        (or, for a guest, ``customer_id`` None and ``cart_digest`` naming the one cart).

        With ``variants`` the offer is narrowed to those variants of the products (a
        recovery offer covers the variants the shopper lingered over, not their siblings).

        Its own promotion (code required, ending with the code) scopes it to the items,
        so it never takes anything off the rest of a cart; the existing use limits make
        it single-use, and pricing refuses it to anyone else (``NOT_YOUR_CODE``).
        """
        problems: list[Problem] = []
        if customer_id is None and not cart_digest:
            problems.append(Problem(Code.INVALID_ID, "Name a customer or a cart", ("customerId",)))
        elif customer_id is not None and not is_id(customer_id):
            problems.append(Problem(Code.INVALID_ID, "Not a valid customer id", ("customerId",)))
        if not product_ids or not all(is_id(p) for p in product_ids):
            problems.append(
                Problem(Code.INVALID_ID, "Name at least one product by id", ("productIds",))
            )
        if expires_at <= self._now():
            problems.append(
                Problem(Code.INVALID_DATES, "The offer must expire later", ("expiresAt",))
            )
        if problems:
            raise Rejected(problems)
        promotion = self.create_promotion(
            Promotion(
                id="",
                name=f"Personal offer: {percent}% off",
                offer=ItemsOff(_personal_selector(product_ids, variants), percent=percent),
                conditions=Conditions(ends_at=expires_at, requires_code=True),
            )
        )
        for _ in range(MAX_ATTEMPTS):
            code = DiscountCode(
                "FOR-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(GENERATED_LENGTH)),
                promotion.id,
                usage_limit=1,
                per_customer_limit=1,
                ends_at=expires_at,
                customer_id=customer_id,
                cart_digest=cart_digest,
            )
            try:
                store.create_codes([code])
            except store.CodesTaken:
                continue
            return code
        self.delete_promotion(promotion.id)
        raise _concurrent()

    def codes(self, promotion_id: str) -> list[DiscountCode]:
        """A promotion's codes with their use counts."""
        return store.codes_of_promotion(promotion_id)

    def codes_for_pricing(
        self, entered: Sequence[str], customer_id: str | None
    ) -> list[DiscountCode]:
        """The entered codes the store knows, with use counts: the engine's input."""
        return store.codes_for((normalize_code(c) for c in entered), customer_id)

    def use_codes(
        self, order_id: str, customer_id: str | None, entered: Sequence[str]
    ) -> list[DiscountCode]:
        """Count this order's use of its codes, all or none; repeating it changes nothing.

        ``CODE_UNKNOWN`` / ``CODE_USED_UP`` (total or this customer's limit) name the code.
        """
        texts = sorted({normalize_code(c) for c in entered if normalize_code(c)})
        for _ in range(MAX_ATTEMPTS):
            codes = store.codes_for(texts, customer_id)
            known = {c.code for c in codes}
            unknown = [t for t in texts if t not in known]
            if unknown:
                raise Rejected(
                    [Problem(Code.CODE_UNKNOWN, f"No code {t}", ("codes",)) for t in unknown]
                )
            already = {u.code for u in store.order_uses(order_id, texts)}
            fresh = [c for c in codes if c.code not in already]
            used_up = [c for c in fresh if _used_up(c)]
            if used_up:
                raise Rejected(
                    [
                        Problem(Code.CODE_USED_UP, f"Code {c.code} is used up", ("codes",))
                        for c in used_up
                    ]
                )
            writes = WriteSet()
            store.add_code_uses(writes, order_id, customer_id, fresh)
            try:
                writes.commit()
            except ConditionsFailed:
                continue  # Someone used a code (or this order did) meanwhile: read again.
            return codes
        raise _concurrent()

    def add_uses(
        self,
        writes: WriteSet,
        order_id: str,
        customer_id: str | None,
        codes: Sequence[DiscountCode],
    ) -> None:
        """Count one use of each code in another use case's transaction (checkout's): a
        limit reached meanwhile fails it with ``use_label(code)`` and nothing is written."""
        store.add_code_uses(writes, order_id, customer_id, codes)

    @staticmethod
    def used_up_code(label: str) -> str | None:
        """The code a failed ``add_uses`` condition label names, or None."""
        prefix = store.use_label("")
        return label[len(prefix) :] if label.startswith(prefix) else None

    def add_releases(self, writes: WriteSet, order_id: str, codes: Sequence[str]) -> None:
        """Give back this order's recorded uses in another use case's transaction (the
        order's cancellation or expiry, which happens once); uses already given back are
        not there to give back again."""
        uses = store.order_uses(order_id, [normalize_code(c) for c in codes])
        if uses:
            store.add_code_releases(writes, uses)

    def add_retakes(
        self, writes: WriteSet, order_id: str, customer_id: str | None, codes: Sequence[str]
    ) -> None:
        """Count again, in another use case's transaction, the uses this order gave back
        when it ended unpaid and that its late payment makes real: codes that still
        exist and have no use recorded for the order."""
        texts = sorted({normalize_code(c) for c in codes})
        recorded = {use.code for use in store.order_uses(order_id, texts)}
        existing = {code.code for code in store.codes_for(texts, None)}
        missing = [t for t in texts if t in existing and t not in recorded]
        if missing:
            store.add_code_retakes(writes, order_id, customer_id, missing)

    def release_codes(self, order_id: str, entered: Sequence[str]) -> None:
        """Give back this order's uses (cancelled, or its payment failed); once only."""
        texts = [normalize_code(c) for c in entered]
        for _ in range(MAX_ATTEMPTS):
            uses = store.order_uses(order_id, texts)
            if not uses:
                return
            writes = WriteSet()
            store.add_code_releases(writes, uses)
            try:
                writes.commit()
            except ConditionsFailed:
                continue
            return
        raise _concurrent()


def product_line(product: catalog.Product, currency: Currency) -> CartLine | None:
    """One unit of the product's first variant priced in ``currency``, as the engine sees it."""
    for variant in product.variants:
        price = next((p for p in variant.prices if p.currency is currency), None)
        if price is None:
            continue
        return CartLine(
            line_id=variant.id,
            product_id=product.id,
            variant_id=variant.id,
            quantity=1,
            unit_price=price,
            collection_ids=frozenset(product.collection_ids),
            attributes=frozenset((a.name, v) for a in product.attributes for v in a.values),
            tags=frozenset(product.tags),
            kind=ItemKind.DIGITAL
            if variant.kind is not catalog.VariantKind.PHYSICAL
            else ItemKind.PHYSICAL,
        )
    return None


def _used_up(code: DiscountCode) -> bool:
    if code.usage_limit is not None and code.times_used >= code.usage_limit:
        return True
    return code.per_customer_limit is not None and (
        code.times_used_by_customer >= code.per_customer_limit
    )


def _personal_selector(product_ids: Sequence[str], variants: Sequence[VariantRef]) -> Selector:
    """The items of a personal offer: the named variants when given, else the products."""
    if variants:
        return Selector(variant_ids=frozenset(variants))
    return Selector(product_ids=frozenset(product_ids))
