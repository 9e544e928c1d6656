"""The points ledger over random sequences of earn, spend, bonus, birthday and referral
bonuses (and their taking back), adjust, refund, void, expiry and replays: the balance is
the sum of the history and never negative, no lot is drawn beyond its points, lots are
drawn and expire first-to-expire first (checked against a point-by-point reference), a
replayed event records nothing, a birthday bonus comes once a year and a referral bonus
once per referred customer; and the birthday job, run at random moments, gives one bonus
for every year it ran on the birthday or the day after."""

from __future__ import annotations

from calendar import isleap
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.loyalty import decisions
from commerce.loyalty.commands import OrderRefund, PaidGoods
from commerce.loyalty.ledger import Entry, EntryKind, Ledger, fold
from commerce.loyalty.model import (
    DEFAULT_SETTINGS,
    BonusRule,
    LoyaltySettings,
    birthdays_celebrated,
)
from commerce.money import Currency, Money

START = datetime(2026, 1, 1, tzinfo=UTC)
# Short-lived lots, so random sequences see plenty of expiries.
RULES = LoyaltySettings(
    DEFAULT_SETTINGS.rates, DEFAULT_SETTINGS.tiers, DEFAULT_SETTINGS.bonuses, 30
)
PROPERTY = settings(max_examples=250, deadline=None, derandomize=True)

ORDERS = st.integers(0, 5)
step = st.one_of(
    st.tuples(st.just("earn"), ORDERS, st.integers(0, 40000)),
    st.tuples(st.just("spend"), ORDERS, st.integers(1, 600)),
    st.tuples(st.just("refund"), ORDERS, st.integers(1, 40000)),
    st.tuples(st.just("void"), ORDERS, st.just(0)),
    st.tuples(st.just("bonus"), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("adjust"), st.integers(0, 1000), st.integers(-300, 300)),
    st.tuples(st.just("wait"), st.integers(1, 40), st.just(0)),
    st.tuples(st.just("birthday"), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("referral"), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("referral_back"), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("replay"), st.integers(0, 1000), st.just(0)),
)
REPLAYABLE = {"earn", "refund", "void", "bonus", "birthday", "referral", "referral_back"}


@dataclass
class Shop:
    """One customer's stored entries, the clock, and what each order was paid."""

    now: datetime = START
    entries: list[Entry] = field(default_factory=list)
    paid: dict[int, int] = field(default_factory=dict)
    done: list[tuple[str, int, int]] = field(default_factory=list)

    def ledger(self) -> Ledger:
        return fold(self.entries, self.now)

    def decide(self, kind: str, a: int, b: int) -> list[Entry] | None:
        ledger, at = self.ledger(), self.now
        order = f"o{a}"
        if kind == "earn":
            if a in self.paid and ledger.has(decisions.earn_key(order)):
                return decisions.earned(
                    ledger, PaidGoods(order, "c", Money(self.paid[a], Currency.USD), at), RULES, at
                )
            self.paid.setdefault(a, b)
            goods = Money(self.paid[a], Currency.USD)
            return decisions.earned(ledger, PaidGoods(order, "c", goods, at), RULES, at)
        if kind == "spend":
            return decisions.spent(ledger, order, b, at)
        if kind == "refund":
            if a not in self.paid or self.paid[a] == 0:
                return []
            amount = min(b, self.paid[a])
            goods = Money(self.paid[a], Currency.USD)
            refund = OrderRefund(order, "c", goods, amount, self.paid[a])
            return decisions.refunded(ledger, refund, RULES, at)
        if kind == "void":
            return decisions.voided(ledger, order, RULES, at)
        if kind == "bonus":
            return decisions.bonus(ledger, list(BonusRule)[a], str(b), RULES, at)
        if kind == "birthday":
            return decisions.bonus(ledger, BonusRule.BIRTHDAY, str(2026 + a), RULES, at)
        if kind == "referral":
            return decisions.referral_bonus(ledger, BonusRule.REFERRAL, f"r{a}", RULES, at)
        if kind == "referral_back":
            return decisions.referral_taken_back(ledger, BonusRule.REFERRAL, f"r{a}", at)
        if kind == "adjust":
            if b == 0:
                return []
            return decisions.adjusted(
                ledger, adjustment_id=str(a), points=b, reason="test", settings=RULES, at=at
            )
        raise AssertionError(kind)

    def apply(self, kind: str, a: int, b: int) -> None:
        if kind == "wait":
            self.now += timedelta(days=a)
            return
        if kind == "replay":
            if not self.done:
                return
            before = len(self.entries)
            again = self.done[a % len(self.done)]
            if again[0] in REPLAYABLE:
                # then a redelivered event records nothing
                assert not self.decide(*again)
                assert len(self.entries) == before
            return
        found = self.decide(kind, a, b)
        if found is None:
            return  # refused: more than the balance
        # Entries are recorded in time order, a microsecond apart at the same moment.
        self.now += timedelta(microseconds=1)
        self.entries += [Entry(**{**_fields(e), "at": self.now}) for e in found]
        if found:
            # Only an event that recorded something can be replayed: one that recorded
            # nothing (a refund of an order whose payment was not yet seen) must take
            # effect when it comes again after the payment.
            self.done.append((kind, a, b))


def _fields(entry: Entry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in entry.__slots__}


def reference_balance(entries: list[Entry], now: datetime) -> tuple[int, dict[str, int]]:
    """Point by point: every point a token with its expiry; a taking takes the tokens
    that expire first (a refund's reversal its own order's first); expiry drops tokens."""
    tokens: list[tuple[datetime, datetime, str, str | None]] = []
    for entry in sorted(entries, key=lambda e: (e.at, e.key)):
        tokens = [t for t in tokens if t[0] > entry.at]
        if entry.points > 0:
            assert entry.expires_at is not None
            tokens += [(entry.expires_at, entry.at, entry.key, entry.order_id)] * entry.points
        elif entry.points < 0:
            tokens.sort(key=lambda t: (t[0], t[1], t[2]))
            if entry.kind is EntryKind.REVERSED:
                tokens.sort(key=lambda t: t[3] != entry.order_id)
            assert len(tokens) >= -entry.points
            tokens = tokens[-entry.points :]
    tokens = [t for t in tokens if t[0] > now]
    left: dict[str, int] = {}
    for _, _, key, _ in tokens:
        left[key] = left.get(key, 0) + 1
    return len(tokens), left


@PROPERTY
@given(st.lists(step, max_size=40))
def test_the_balance_is_the_sum_of_the_history_and_lots_go_first_to_expire_first(
    steps: list[tuple[str, int, int]],
) -> None:
    shop = Shop()
    for kind, a, b in steps:
        shop.apply(kind, a, b)
        ledger = shop.ledger()
        # the balance is the sum of every entry, expiries included, and never negative
        assert ledger.balance == sum(line.entry.points for line in ledger.history)
        assert ledger.balance >= 0
        assert ledger.balance == sum(lot.remaining for lot in ledger.lots)
        # no lot is drawn beyond its points
        drawn: dict[str, int] = {}
        for line in ledger.history:
            for draw in line.draws:
                drawn[draw.lot_key] = drawn.get(draw.lot_key, 0) + draw.points
        for entry in ledger.entries.values():
            if entry.points > 0:
                assert drawn.get(entry.key, 0) <= entry.points
        for lot in ledger.lots:
            assert lot.remaining == lot.points - drawn.get(lot.key, 0) > 0
        # and a point-by-point reference agrees on what is left of every lot
        balance, left = reference_balance(shop.entries, shop.now)
        assert balance == ledger.balance
        assert left == {lot.key: lot.remaining for lot in ledger.lots}
        # refunds never take back more than was earned, nor give back more than was spent
        for order in {e.order_id for e in shop.entries if e.order_id}:
            earned = sum(e.points for e in ledger.of_order(order, EntryKind.EARNED))
            reversed_ = -sum(e.points for e in ledger.of_order(order, EntryKind.REVERSED))
            spent = -sum(e.points for e in ledger.of_order(order, EntryKind.SPENT))
            restored = sum(e.points for e in ledger.of_order(order, EntryKind.RESTORED))
            assert 0 <= reversed_ <= earned
            assert 0 <= restored <= spent
        # a birthday bonus once a year, a referral bonus once per referred customer, and
        # taking one back never takes more than it gave nor lets it come again
        for referred in ("r0", "r1", "r2"):
            key = decisions.referral_key(BonusRule.REFERRAL, referred)
            gave = ledger.entries.get(key)
            back = ledger.entries.get(f"{key}:reversed")
            if back is not None:
                assert gave is not None
                assert -gave.points <= back.points <= 0
                assert not decisions.referral_bonus(
                    ledger, BonusRule.REFERRAL, referred, RULES, shop.now
                )
        for year in ("2026", "2027", "2028"):
            if ledger.has(f"bonus:BIRTHDAY:{year}"):
                assert not decisions.bonus(ledger, BonusRule.BIRTHDAY, year, RULES, shop.now)


def test_a_lot_expires_whole_at_its_expiry_and_spending_takes_the_older_lot_first() -> None:
    # given 100 points on day 0 and 50 on day 10, lots lasting 30 days
    shop = Shop()
    shop.apply("bonus", 0, 0)  # SIGN_UP: 100
    shop.apply("wait", 10, 0)
    shop.apply("bonus", 1, 0)  # FIRST_REVIEW: 50
    # when 80 are spent on day 11
    shop.apply("wait", 1, 0)
    shop.apply("spend", 1, 80)
    # then they came from the first lot
    assert [(lot.points, lot.remaining) for lot in shop.ledger().lots] == [(100, 20), (50, 50)]
    # and on day 30 the first lot's 20 expire, on day 40 the second's 50
    shop.apply("wait", 19, 0)
    assert shop.ledger().balance == 50
    assert shop.ledger().history[-1].entry.kind is EntryKind.EXPIRED
    assert shop.ledger().history[-1].entry.points == -20
    shop.apply("wait", 10, 0)
    assert shop.ledger().balance == 0
    assert sum(line.entry.points for line in shop.ledger().history) == 0


def test_spending_more_than_the_balance_is_refused_and_records_nothing() -> None:
    shop = Shop()
    shop.apply("bonus", 0, 0)
    assert decisions.spent(shop.ledger(), "o1", 101, shop.now) is None
    assert (
        decisions.adjusted(
            shop.ledger(), adjustment_id="x", points=-101, reason="r", settings=RULES, at=shop.now
        )
        is None
    )
    assert shop.ledger().balance == 100


def celebration(birthday: tuple[int, int], year: int) -> date:
    """The day a birthday is celebrated in ``year``: 29 February on 28 February in a
    year without it."""
    month, day = birthday
    if (month, day) == (2, 29) and not isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


# Runs near the birthday of some year: (year, days from its celebration, hour).
RUNS = st.lists(
    st.tuples(st.integers(2026, 2029), st.integers(-2, 3), st.integers(0, 23)), max_size=30
)
BIRTHDAYS = st.sampled_from([(2, 29), (2, 28), (3, 1), (1, 1), (12, 31), (7, 14)])


@PROPERTY
@given(BIRTHDAYS, RUNS, st.integers(0, 3))
def test_the_birthday_job_gives_one_bonus_a_year_however_often_it_runs(
    birthday: tuple[int, int], runs: list[tuple[int, int, int]], repeat: int
) -> None:
    shop = Shop()
    moments = sorted(
        datetime.combine(celebration(birthday, year), datetime.min.time(), UTC)
        + timedelta(days=days, hours=hour)
        for year, days, hour in runs
    )
    # each run (some run again at the same moment: retries) looks at yesterday and today
    for moment in [m for m in moments for _ in range(1 + repeat % 2)]:
        today = moment.date()
        for day in (today - timedelta(days=1), today):
            if birthday in birthdays_celebrated(day):
                found = decisions.bonus(
                    shop.ledger(), BonusRule.BIRTHDAY, str(day.year), RULES, shop.now
                )
                shop.now += timedelta(microseconds=1)
                shop.entries += [Entry(**{**_fields(e), "at": shop.now}) for e in found]
    given_years = sorted(
        e.key.rsplit(":", 1)[1] for e in shop.entries if e.reason == BonusRule.BIRTHDAY.value
    )
    expected = sorted(
        {
            str(year)
            for year in range(2025, 2031)
            for m in moments
            if m.date() - celebration(birthday, year) in (timedelta(0), timedelta(days=1))
        }
    )
    assert given_years == expected
    assert all(e.points == RULES.bonus(BonusRule.BIRTHDAY) for e in shop.entries)
