"""Each kind of promotion, on a small cart: the discount, where it lands, its explanation."""

from __future__ import annotations

from decimal import Decimal

from pricing_factories import BOOKS, context, line, pct, price, promo, variants, volume

from commerce.pricing.model import (
    Bundle,
    BundleComponent,
    BuyXGetY,
    Discount,
    FreeShipping,
    ItemKind,
    ItemsOff,
    Match,
    MixAndMatch,
    OrderOff,
    Selector,
    SeriesSet,
    Tier,
    TieredOff,
)


def test_a_percentage_off_matching_items_lands_on_each_matching_line() -> None:
    sale = promo("sale", ItemsOff(Selector(tags=frozenset({"sale"})), percent=pct("25")))
    cart = price([line("a", 1000, 2, tags=("sale",)), line("b", 999)], [sale])
    assert cart.lines[0].discounts == (Discount("sale", 500, "25% off"),)
    assert cart.lines[1].discounts == ()
    assert (cart.subtotal, cart.line_discounts, cart.total) == (2999, 500, 2499)


def test_a_fixed_amount_off_is_per_unit_and_never_more_than_the_unit() -> None:
    off = promo("off", ItemsOff(BOOKS, amount=300))
    cart = price([line("a", 1000, 2), line("b", 200)], [off])
    assert [d.amount for ln in cart.lines for d in ln.discounts] == [600, 200]
    assert cart.lines[0].discounts[0].text == "3.00 off each"
    assert cart.total == 1400


def test_selectors_match_by_attribute_and_all_combines_criteria() -> None:
    le_guin_audio = Selector(
        attributes=frozenset({("author", "Le Guin"), ("format", "audio")}), match=Match.ALL
    )
    off = promo("off", ItemsOff(le_guin_audio, percent=pct("50")))
    audio = line("a", 1000, attributes=(("author", "Le Guin"), ("format", "audio")))
    paper = line("b", 1000, attributes=(("author", "Le Guin"), ("format", "paper")))
    cart = price([audio, paper], [off])
    assert [ln.total for ln in cart.lines] == [500, 1000]


def test_an_order_discount_needs_its_minimum_and_is_split_over_the_lines() -> None:
    off = promo("off", OrderOff(percent=pct("10"), min_subtotal=5000))
    assert price([line("a", 4999)], [off]).total == 4999
    cart = price([line("a", 3333), line("b", 3334)], [off])
    assert cart.order_discounts == (Discount("off", 667, "10% off the order of 50.00 or more"),)
    assert sum(d.amount for ln in cart.lines for d in ln.order_discounts) == 667
    assert cart.total == 6667 - 667


def test_an_order_discount_with_a_minimum_quantity() -> None:
    off = promo("off", OrderOff(amount=500, min_quantity=3))
    assert price([line("a", 1000, 2)], [off]).total == 2000
    assert price([line("a", 1000, 3)], [off]).total == 2500


def test_tiers_give_the_highest_tier_reached() -> None:
    tiers = TieredOff((Tier(5000, amount=500), Tier(10000, amount=1500)))
    tiered = promo("tiers", tiers)
    assert price([line("a", 4999)], [tiered]).total == 4999
    assert price([line("a", 5000)], [tiered]).total == 4500
    cart = price([line("a", 12000)], [tiered])
    assert cart.total == 10500
    assert cart.order_discounts[0].text == "Spend 100.00, save 15.00"


def test_the_fourth_book_is_free_when_three_are_bought() -> None:
    offer = promo("b3g1", BuyXGetY(BOOKS, buy=3, noun="book"))
    cart = price([line("a", 1000), line("b", 800), line("c", 1200), line("d", 500)], [offer])
    assert cart.lines[3].discounts == (Discount("b3g1", 500, "Buy 3, get the cheapest free"),)
    assert cart.total == 3000


def test_buy_x_get_y_repeats_and_groups_the_most_expensive_together() -> None:
    offer = promo("b1g1", BuyXGetY(BOOKS, buy=1))
    cart = price([line("a", 1000, 2), line("b", 200, 2)], [offer])
    # Groups: (10, 10) and (2, 2): 10.00 and 2.00 free.
    assert cart.total == 1200


def test_buy_n_get_m_at_a_percentage_off() -> None:
    offer = promo("b2g1", BuyXGetY(BOOKS, buy=2, get=1, percent=Decimal(50)))
    cart = price([line("a", 1000, 3)], [offer])
    assert cart.total == 2500
    assert cart.lines[0].discounts[0].text == "Buy 2, get 1 at 50% off"


def test_every_volume_of_a_series_gives_a_percentage_off_the_set() -> None:
    offer = promo("set", SeriesSet("Earthsea", ("1", "2", "3"), pct("15")))
    full = [volume("v1", "Earthsea", 1, 1000), volume("v2", "Earthsea", 2, 1000)]
    assert price(full, [offer]).total == 2000
    cart = price([*full, volume("v3", "Earthsea", 3, 1000)], [offer])
    assert cart.total == 2550
    assert cart.lines[0].discounts[0].text == "Complete Earthsea set: 15% off"


def test_a_bundle_of_a_volume_and_its_audiobook_for_a_fixed_price() -> None:
    bundle = Bundle(
        (
            BundleComponent(Selector(variant_ids=variants("book"))),
            BundleComponent(Selector(variant_ids=variants("audio"))),
        ),
        price=2000,
    )
    offer = promo("bundle", bundle)
    book = line("book", 1500, 2)
    audio = line("audio", 1000, kind=ItemKind.DIGITAL)
    cart = price([book, audio], [offer])
    # One bundle (25.00 -> 20.00); the second book stays at its price.
    assert cart.total == 2000 + 1500
    assert sum(d.amount for ln in cart.lines for d in ln.discounts) == 500
    assert cart.lines[0].discounts[0].text == "Bundle for 20.00"


def test_a_bundle_for_a_percentage_off() -> None:
    bundle = Bundle(
        (
            BundleComponent(Selector(product_ids=frozenset({"p-a"}))),
            BundleComponent(Selector(product_ids=frozenset({"p-b"}))),
        ),
        percent=pct("20"),
    )
    cart = price([line("a", 1000), line("b", 500)], [promo("bundle", bundle)])
    assert cart.total == 1200


def test_mix_and_match_takes_the_most_expensive_units_for_one_price() -> None:
    offer = promo("any3", MixAndMatch(BOOKS, count=3, price=2000))
    cart = price([line("a", 1000), line("b", 900), line("c", 800), line("d", 100)], [offer])
    assert cart.total == 2000 + 100
    assert cart.lines[0].discounts[0].text == "Any 3 for 20.00"


def test_free_shipping_above_a_threshold_and_for_some_zones() -> None:
    offer = promo("ship", FreeShipping(min_subtotal=5000, zone_ids=frozenset({"home"})))
    below = price([line("a", 4000)], [offer], context(shipping=499, zone="home"))
    assert (below.shipping_discount, below.total) == (None, 4499)
    above = price([line("a", 6000)], [offer], context(shipping=499, zone="home"))
    assert above.shipping_discount == Discount(
        "ship", 499, "Free shipping on orders of 50.00 or more"
    )
    assert above.total == 6000
    abroad = price([line("a", 6000)], [offer], context(shipping=1500, zone="world"))
    assert abroad.total == 7500


def test_item_discounts_stack_in_priority_order_on_what_is_left() -> None:
    first = promo("first", ItemsOff(BOOKS, percent=pct("50")), priority=2)
    then = promo("then", ItemsOff(BOOKS, amount=300), priority=1)
    cart = price([line("a", 1000)], [then, first])
    assert [d.promotion_id for d in cart.lines[0].discounts] == ["first", "then"]
    assert cart.total == 200


def test_an_exclusive_promotion_wins_alone_when_it_gives_the_lowest_total() -> None:
    big = promo("big", OrderOff(percent=pct("40")), exclusive=True)
    small = promo("small", ItemsOff(BOOKS, percent=pct("10")))
    other = promo("other", OrderOff(amount=500))
    cart = price([line("a", 10000)], [big, small, other])
    assert [a.promotion_id for a in cart.applied] == ["big"]
    assert cart.total == 6000


def test_combinable_promotions_win_when_together_they_give_more() -> None:
    big = promo("big", OrderOff(percent=pct("15")), exclusive=True)
    small = promo("small", ItemsOff(BOOKS, percent=pct("10")))
    other = promo("other", OrderOff(amount=1000))
    cart = price([line("a", 10000)], [big, small, other])
    assert [a.promotion_id for a in cart.applied] == ["other", "small"]
    assert cart.total == 8000


def test_a_unit_takes_part_in_one_unit_offer_and_the_better_one_wins() -> None:
    b1g1 = promo("b1g1", BuyXGetY(BOOKS, buy=1))
    bundle = promo(
        "bundle",
        Bundle(
            (
                BundleComponent(Selector(variant_ids=variants("a"))),
                BundleComponent(Selector(variant_ids=variants("audio"))),
            ),
            price=1200,
        ),
    )
    audio = line("audio", 1000, collections=("audio",))
    # Book a with book b: b1g1 saves 6.00. Book a with its audiobook: the bundle saves 8.00.
    cart = price([line("a", 1000), line("b", 600), audio], [b1g1, bundle])
    assert [x.promotion_id for x in cart.applied] == ["bundle"]
    assert cart.total == 1200 + 600


def test_promotions_in_another_currency_do_not_apply() -> None:
    from commerce.money import Currency

    off = promo("off", OrderOff(amount=500), currency=Currency.EUR)
    assert price([line("a", 1000)], [off]).total == 1000
