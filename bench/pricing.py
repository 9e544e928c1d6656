"""Pricing engine figures: no I/O, so no DynamoDB; ``python -m bench --only pricing``.

Three carts, each priced repeatedly; median and p95 per pricing:

1. 100 lines against 200 live promotions of every kind (item and order discounts, tiers,
   buy X get Y, series sets, bundles, mix-and-match, free shipping; some exclusive, some
   behind codes, some for other channels);
2. 20 lines against 20 bundle offers that overlap (each a pair or trio of lines sharing
   units with others), so the best combination has to be searched;
3. a typical cart: 5 lines against 30 live promotions drawn like the first;
4. 100 units of one collection (40 lines) under three competing multi-buys (buy 3 get 1,
   buy 2 get 1 at half price, any 3 for a price) and an item discount: the exact sweep.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from commerce.money import Currency, Money
from commerce.pricing.engine import apply_promotions
from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    CartLine,
    Conditions,
    DiscountCode,
    FreeShipping,
    ItemKind,
    ItemsOff,
    MixAndMatch,
    Offer,
    OrderOff,
    PricingContext,
    Promotion,
    Selector,
    SeriesSet,
    Tier,
    TieredOff,
)
from commerce.principals import Channel
from commerce.variant_refs import VariantRef

Row = tuple[str, str, str]
USD = Currency.USD
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _line(n: int, rnd: random.Random) -> CartLine:
    series = f"Series {n % 12}"
    return CartLine(
        line_id=f"line-{n:03d}",
        product_id=f"product-{n:03d}",
        variant_id=f"variant-{n:03d}",
        quantity=rnd.randint(1, 3),
        unit_price=Money(rnd.randint(299, 4999), USD),
        collection_ids=frozenset({f"shelf-{n % 8}", "books"}),
        attributes=frozenset(
            {("author", f"Author {n % 15}"), ("series", series), ("volume", str(n % 4 + 1))}
        ),
        tags=frozenset({"fantasy" if n % 2 else "mystery", f"tag-{n % 10}"}),
        kind=ItemKind.DIGITAL if n % 5 == 0 else ItemKind.PHYSICAL,
    )


def _offer(k: int, rnd: random.Random) -> Offer:
    """A store's live offers: mostly targeted item offers, bundles and multi-buys."""
    shelf = Selector(collection_ids=frozenset({f"shelf-{rnd.randrange(8)}"}))
    author = Selector(attributes=frozenset({("author", f"Author {rnd.randrange(15)}")}))
    products = Selector(
        product_ids=frozenset(f"product-{p:03d}" for p in rnd.sample(range(100), 3))
    )
    pct = Decimal(rnd.choice((5, 10, 15, 20, 25)))
    match k % 20:
        case 0 | 1 | 2 | 3 | 4 | 5:
            return ItemsOff(rnd.choice((products, author)), percent=pct)
        case 6:
            return ItemsOff(Selector(tags=frozenset({f"tag-{rnd.randrange(10)}"})), amount=100)
        case 7 | 8 | 9 | 10:
            return Bundle(
                tuple(
                    BundleComponent(
                        Selector(
                            variant_ids=frozenset(
                                {VariantRef(f"product-{v:03d}", f"variant-{v:03d}")}
                            )
                        )
                    )
                    for v in rnd.sample(range(100), rnd.randint(2, 3))
                ),
                price=rnd.randint(2000, 6000),
            )
        case 11 | 12:
            return BuyXGetY(shelf, buy=rnd.randint(2, 3))
        case 13:
            return MixAndMatch(shelf, count=3, price=rnd.randint(3000, 6000))
        case 14 | 15:
            return SeriesSet(f"Series {rnd.randrange(12)}", ("1", "2", "3", "4"), pct)
        case 16:
            return OrderOff(percent=pct, min_subtotal=rnd.randint(5000, 40000))
        case 17:
            return TieredOff((Tier(5000, amount=500), Tier(10000, amount=1500)), shelf)
        case 18:
            return OrderOff(amount=rnd.randint(500, 2000), min_quantity=rnd.randint(3, 10))
        case _:
            return FreeShipping(min_subtotal=rnd.randint(2000, 8000))


Case = tuple[list[CartLine], list[Promotion], PricingContext, list[DiscountCode]]


def large_cart(line_count: int = 100, promotion_count: int = 200) -> Case:
    rnd = random.Random(8)
    lines = [_line(n, rnd) for n in range(line_count)]
    promotions = []
    for k in range(promotion_count):
        # Order-level offers mostly sit behind codes; some offers are for the app only.
        conditions = Conditions(
            requires_code=k % 20 in (16, 17, 18) and k % 3 != 0,
            channels=frozenset({Channel.MOBILE}) if k % 7 == 0 else frozenset(),
        )
        promotions.append(
            Promotion(
                id=f"promo-{k:03d}",
                name=f"Promotion {k}",
                offer=_offer(k, rnd),
                conditions=conditions,
                priority=rnd.randint(0, 5),
                exclusive=k % 19 == 0,
                currency=USD,
            )
        )
    codes = [DiscountCode("CODE16", "promo-016"), DiscountCode("CODE37", "promo-037")]
    context = PricingContext(
        now=NOW, currency=USD, codes=("code16", "code37"), shipping=599, shipping_zone_id="home"
    )
    return lines, promotions, context, codes


def typical_cart() -> Case:
    """5 lines, 30 promotions: the store's offers are drawn as for the large cart."""
    return large_cart(5, 30)


def bundle_cart() -> Case:
    rnd = random.Random(20)
    lines = [
        CartLine(
            line_id=f"line-{n:02d}",
            product_id=f"product-{n:02d}",
            variant_id=f"variant-{n:02d}",
            quantity=rnd.randint(1, 2),
            unit_price=Money(rnd.randint(500, 3000), USD),
        )
        for n in range(20)
    ]
    promotions = []
    for k in range(20):
        # Neighbouring lines: every bundle shares lines with the next ones, one component.
        members = sorted({k, (k + 1) % 20, (k + rnd.randint(2, 4)) % 20})[: rnd.randint(2, 3)]
        components = tuple(
            BundleComponent(
                Selector(
                    variant_ids=frozenset({VariantRef(f"product-{m:02d}", f"variant-{m:02d}")})
                )
            )
            for m in members
        )
        full = sum(lines[m].unit_price.amount for m in members)
        promotions.append(
            Promotion(
                id=f"bundle-{k:02d}",
                name=f"Bundle {k}",
                offer=Bundle(components, price=full * rnd.randint(60, 90) // 100),
                currency=USD,
            )
        )
    return lines, promotions, PricingContext(now=NOW, currency=USD), []


def multi_buy_cart() -> Case:
    """100 units, 40 lines of one collection, three multi-buys competing for every unit."""
    lines = [
        CartLine(
            line_id=f"line-{n:02d}",
            product_id=f"product-{n:02d}",
            variant_id=f"variant-{n:02d}",
            quantity=3 if n % 2 else 2,
            unit_price=Money(700 + 97 * n % 2900, USD),
            collection_ids=frozenset({"books"}),
            tags=frozenset({"sale"} if n % 3 == 0 else ()),
        )
        for n in range(40)
    ]
    books = Selector(collection_ids=frozenset({"books"}))
    offers: list[Offer] = [
        BuyXGetY(books, buy=3),
        BuyXGetY(books, buy=2, percent=Decimal(50)),
        MixAndMatch(books, count=3, price=3000),
        ItemsOff(Selector(tags=frozenset({"sale"})), percent=Decimal(20)),
    ]
    promotions = [
        Promotion(id=f"multi-{k}", name=f"Multi-buy {k}", offer=offer, currency=USD)
        for k, offer in enumerate(offers)
    ]
    return lines, promotions, PricingContext(now=NOW, currency=USD), []


def _time(price: Callable[[], object], runs: int) -> tuple[float, float, float, float]:
    """Wall-clock and CPU (this thread's) median and p95: on a shared machine the wall
    clock counts other work too, the CPU time only the pricing's."""
    for _ in range(5):
        price()
    wall, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.thread_time()
        price()
        cpu.append(time.thread_time() - used)
        wall.append(time.perf_counter() - started)

    def median_p95(samples: list[float]) -> tuple[float, float]:
        ordered = sorted(samples)
        return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]

    return *median_p95(wall), *median_p95(cpu)


def pricing_rows(runs: int = 100) -> list[Row]:
    """The pricing figures as bench table rows."""
    rows: list[Row] = []
    cases = (
        ("pricing: 100 lines, 200 promotions", large_cart()),
        ("pricing: 20 lines, 20 overlapping bundles", bundle_cart()),
        ("pricing: 5 lines, 30 promotions", typical_cart()),
        ("pricing: 100 units, 3 competing multi-buys", multi_buy_cart()),
    )
    for name, (lines, promotions, context, codes) in cases:

        def once(
            lines: list[CartLine] = lines,
            promotions: list[Promotion] = promotions,
            context: PricingContext = context,
            codes: list[DiscountCode] = codes,
        ) -> object:
            return apply_promotions(lines, context, promotions, codes)

        cart = apply_promotions(lines, context, promotions, codes)
        median, p95, cpu_median, cpu_p95 = _time(once, runs)
        exactness = (
            f"best effort, at most {cart.best_effort_bound} above the lowest"
            if cart.best_effort
            else "exact"
        )
        note = (
            f"saves {cart.subtotal + (cart.shipping or 0) - cart.total} of "
            f"{cart.subtotal} minor units, {len(cart.applied)} promotions applied, {exactness}"
        )
        figures = (
            f"{median * 1000:.1f} ms / {p95 * 1000:.1f} ms "
            f"(CPU {cpu_median * 1000:.1f} ms / {cpu_p95 * 1000:.1f} ms)"
        )
        rows.append((name, figures, note))
    return rows
