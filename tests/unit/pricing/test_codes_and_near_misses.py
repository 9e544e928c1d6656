"""Why a code did not apply, and what the cart is close to: the shopper's sentences."""

from __future__ import annotations

from datetime import timedelta

from pricing_factories import BOOKS, NOW, code, context, line, pct, price, promo, variants, volume

from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    CodeRefusal,
    Conditions,
    FreeShipping,
    ItemKind,
    ItemsOff,
    MixAndMatch,
    NearMiss,
    NearMissKind,
    OrderOff,
    RefusedCode,
    Selector,
    SeriesSet,
    Tier,
    TieredOff,
)
from commerce.principals import Channel

CODED = Conditions(requires_code=True)
SPRING = promo("spring", ItemsOff(BOOKS, percent=pct("10")), name="Spring", conditions=CODED)
SPRING10 = code("SPRING10", "spring")


def refusal(**kwargs: object) -> RefusedCode:
    promotions = kwargs.pop("promotions", [SPRING])
    codes = kwargs.pop("codes", [SPRING10])
    lines = kwargs.pop("lines", [line("a", 1000)])
    ctx = context(codes=("spring10",), **kwargs)
    cart = price(lines, promotions, ctx, codes)  # type: ignore[arg-type]
    assert len(cart.refused_codes) == 1
    return cart.refused_codes[0]


def test_a_valid_code_unlocks_its_promotion_whatever_its_case() -> None:
    cart = price([line("a", 1000)], [SPRING], context(codes=(" Spring10 ",)), [SPRING10])
    assert cart.total == 900
    assert cart.refused_codes == ()


def test_a_promotion_that_requires_a_code_does_not_apply_without_it() -> None:
    assert price([line("a", 1000)], [SPRING]).total == 1000


def test_an_unknown_code_is_refused() -> None:
    refused = refusal(codes=[])
    assert refused == RefusedCode(
        "SPRING10", CodeRefusal.UNKNOWN, "code SPRING10 not applied: there is no such code"
    )


def test_an_expired_code_is_refused() -> None:
    refused = refusal(codes=[code("SPRING10", "spring", ends_at=NOW)])
    assert refused.reason is CodeRefusal.EXPIRED
    assert refused.message == "code SPRING10 not applied: it has expired"


def test_a_code_whose_promotion_has_ended_is_expired() -> None:
    ended = promo("spring", SPRING.offer, conditions=Conditions(requires_code=True, ends_at=NOW))
    assert refusal(promotions=[ended]).reason is CodeRefusal.EXPIRED


def test_a_code_before_its_start_is_not_yet_valid() -> None:
    later = code("SPRING10", "spring", starts_at=NOW + timedelta(days=1))
    refused = refusal(codes=[later])
    assert refused.reason is CodeRefusal.NOT_YET_VALID
    assert refused.message == "code SPRING10 not applied: it is not valid yet"


def test_a_code_used_up_in_total_or_by_this_customer_is_refused() -> None:
    total = code("SPRING10", "spring", usage_limit=100, times_used=100)
    assert refusal(codes=[total]).reason is CodeRefusal.USED_UP
    mine = code("SPRING10", "spring", per_customer_limit=1, times_used_by_customer=1)
    refused = refusal(codes=[mine])
    assert refused.message == "code SPRING10 not applied: it has been used up"


def test_a_code_bound_to_one_cart_works_in_that_cart_only() -> None:
    bound = code("SPRING10", "spring", cart_digest="digest-of-the-guests-cart")
    assert refusal(codes=[bound], cart_digest="digest-of-another-cart").reason is (
        CodeRefusal.NOT_YOUR_CODE
    )
    assert refusal(codes=[bound]).reason is CodeRefusal.NOT_YOUR_CODE  # no cart at all
    ctx = context(codes=("SPRING10",), cart_digest="digest-of-the-guests-cart")
    assert price([line("a", 1000)], [SPRING], ctx, [bound]).total == 900


def test_a_code_for_another_channel_is_not_for_this_order() -> None:
    web_only = promo(
        "spring",
        SPRING.offer,
        conditions=Conditions(requires_code=True, channels=frozenset({Channel.WEB})),
    )
    refused = refusal(promotions=[web_only], channel=Channel.MOBILE)
    assert refused.reason is CodeRefusal.NOT_ELIGIBLE


def test_a_code_below_its_minimum_says_what_it_needs() -> None:
    minimum = promo("spring", OrderOff(amount=500, min_subtotal=5000), conditions=CODED)
    refused = refusal(promotions=[minimum])
    assert refused == RefusedCode(
        "SPRING10",
        CodeRefusal.MINIMUM_NOT_REACHED,
        "code SPRING10 not applied: it needs 50.00 of eligible items",
    )


def test_a_code_for_other_items_is_not_for_these_items() -> None:
    audio_only = promo(
        "spring", ItemsOff(Selector(tags=frozenset({"audio"})), percent=pct("10")), conditions=CODED
    )
    refused = refusal(promotions=[audio_only])
    assert refused.reason is CodeRefusal.NOT_FOR_THESE_ITEMS
    assert refused.message == "code SPRING10 not applied: it is not for the items in this cart"


def test_a_code_beaten_by_a_better_exclusive_offer_names_the_winner() -> None:
    b3g1 = promo(
        "b3g1", BuyXGetY(BOOKS, buy=3, noun="book"), name="Buy 3 get 1 free", exclusive=True
    )
    lines = [line("a", 1000), line("b", 1000), line("c", 1000), line("d", 1000)]
    refused = refusal(promotions=[SPRING, b3g1], lines=lines)
    assert refused == RefusedCode(
        "SPRING10",
        CodeRefusal.BETTER_OFFER_APPLIED,
        "code SPRING10 not applied: Buy 3 get 1 free gives more",
    )


def test_free_shipping_near_miss_says_how_much_more_to_spend() -> None:
    ship = promo("ship", FreeShipping(min_subtotal=5000))
    cart = price([line("a", 3800)], [ship], context(shipping=499))
    assert cart.near_misses == (
        NearMiss("ship", NearMissKind.SPEND_MORE, "add 12.00 more for free shipping", 1200),
    )


def test_no_free_shipping_near_miss_for_a_digital_cart() -> None:
    ship = promo("ship", FreeShipping(min_subtotal=5000))
    ebook = line("a", 1000, kind=ItemKind.DIGITAL)
    assert price([ebook], [ship], context(shipping=0)).near_misses == ()


def test_buy_x_near_miss_says_how_many_more_books() -> None:
    b3g1 = promo("b3g1", BuyXGetY(BOOKS, buy=3, noun="book"))
    cart = price([line("a", 1000, 3)], [b3g1])
    assert cart.near_misses == (
        NearMiss("b3g1", NearMissKind.ADD_ITEMS, "add 1 more book to get one free", 0, 1),
    )
    assert price([line("a", 1000, 4)], [b3g1]).near_misses == ()


def test_order_tier_and_mix_and_match_near_misses() -> None:
    off = promo("off", OrderOff(percent=pct("10"), min_subtotal=5000))
    tiers = promo("tiers", TieredOff((Tier(5000, amount=500), Tier(10000, amount=1500))))
    any3 = promo("any3", MixAndMatch(BOOKS, count=3, price=2000, noun="book"))
    cart = price([line("a", 6000), line("b", 500)], [off, tiers, any3])
    assert [n.text for n in cart.near_misses] == [
        "add 1 more book to get any 3 for 20.00",
        "add 35.00 more to save 15.00",
    ]
    cart = price([line("a", 4000)], [off])
    assert [n.text for n in cart.near_misses] == ["add 10.00 more to get 10% off the order"]


def test_complete_the_series_near_miss_lists_the_missing_volumes() -> None:
    offer = promo("set", SeriesSet("Earthsea", ("1", "2", "3"), pct("15")))
    cart = price([volume("v1", "Earthsea", 1, 1000)], [offer])
    assert cart.near_misses == (
        NearMiss(
            "set",
            NearMissKind.COMPLETE_SET,
            "complete the series: add volumes 2 and 3 and save 15%",
            items_missing=2,
        ),
    )


def test_bundle_near_miss_names_the_missing_component() -> None:
    bundle = Bundle(
        (
            BundleComponent(Selector(variant_ids=variants("book")), label="volume 1"),
            BundleComponent(Selector(variant_ids=variants("audio")), label="the audiobook"),
        ),
        price=2000,
    )
    offer = promo("bundle", bundle, name="Volume 1 with its audiobook for 20.00")
    cart = price([line("book", 1500)], [offer])
    assert [n.text for n in cart.near_misses] == [
        "add the audiobook to get Volume 1 with its audiobook for 20.00"
    ]
