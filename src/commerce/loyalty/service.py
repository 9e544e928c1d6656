"""Loyalty use cases: earn on payment, spend at checkout, take back on refund, bonuses.

Every change reads the customer's partition (one Query), decides on the folded ledger,
and writes its entries with the account's revision as condition; a writer that lost the
race reads again and decides again, so no balance is ever spent twice and no event is
recorded twice (its entry's key is its business key). The events function calls
``order_paid``/``order_refunded``/``order_voided`` for every change of an order, however
often: each finds its entry and does nothing the second time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commerce.db.writes import CONFLICT, ConditionsFailed, WriteSet
from commerce.ids import is_id
from commerce.loyalty import decisions, store
from commerce.loyalty.commands import AdjustPoints, OrderRefund, PaidGoods, check_settings
from commerce.loyalty.errors import LoyaltyErrorCode as Code
from commerce.loyalty.ledger import Entry, EntryKind, Ledger, Line, Lot, fold
from commerce.loyalty.model import (
    DEFAULT_SETTINGS,
    TIER_WINDOW,
    BonusRule,
    LoyaltySettings,
    PointsRate,
    Schedule,
    Tier,
    birthdays_celebrated,
    tier_of,
    tier_schedule,
)
from commerce.money import Currency, Money
from commerce.pricing.points import PointsValue
from commerce.problems import Problem, Rejected

MAX_ATTEMPTS = 10


def _utcnow() -> datetime:
    return datetime.now(UTC)


class InsufficientPoints(Exception):
    """The customer's balance is below the points a checkout would spend."""

    def __init__(self, balance: int, wanted: int) -> None:
        self.balance = balance
        self.wanted = wanted
        super().__init__(f"{wanted} points wanted, {balance} available")


@dataclass(frozen=True, slots=True)
class LoyaltyAccount:
    """A customer's points as they see them."""

    customer_id: str
    balance: int
    tier: Tier | None
    # Goods paid over the last 12 months (net of refunds), per currency: what sets the tier.
    spend: tuple[Money, ...]
    lots: tuple[Lot, ...]
    history: tuple[Line, ...]
    # The code this customer gives friends, and whether a friend's code brought them.
    referral_code: str = ""
    referred: bool = False


def referral_code(customer_id: str) -> str:
    """The code a customer refers others with: their account id, upper-cased, so no
    lookup item is needed; it grants nothing but the referral bonus, whose abuses
    (one's own code, a customer who bought already) are refused."""
    return customer_id.upper()


Decide = Callable[[Ledger, datetime], list[Entry]]


@dataclass(frozen=True, slots=True)
class BirthdayRun:
    """What one run of the birthday bonus did."""

    customers: int
    granted: int
    points: int


class LoyaltyService:
    """A points ledger per customer and the store's loyalty rules."""

    def __init__(
        self,
        *,
        customer_exists: Callable[[str], bool] | None = None,
        born_on: Callable[[int, int], Iterable[str]] | None = None,
        record_tiers: Callable[[WriteSet, str, Schedule], None] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        cache_seconds: float = 5.0,
    ) -> None:
        self._customer_exists = customer_exists
        # The customers whose birthday is a month and day (customers' birthday index).
        self._born_on = born_on
        # Keeps the customer's tiers to come with their marketing facts (customers), in
        # the same transaction, so segments follow the ledger at no extra read.
        self._record_tiers = record_tiers
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, LoyaltySettings, int] | None = None
        self._lock = threading.Lock()

    # -- rules -------------------------------------------------------------------------

    def settings(self) -> LoyaltySettings:
        """The rules in force (the defaults until staff set their own); cached briefly,
        as carts price through the points rate on every read."""
        return self._settings_and_version()[0]

    def _settings_and_version(self, *, fresh: bool = False) -> tuple[LoyaltySettings, int]:
        with self._lock:
            cached = self._cached
            if (
                not fresh
                and cached is not None
                and time.monotonic() - cached[0] < self._cache_seconds
            ):
                return cached[1], cached[2]
        found = store.get_settings()
        settings, version = found if found is not None else (DEFAULT_SETTINGS, 0)
        with self._lock:
            self._cached = (time.monotonic(), settings, version)
        return settings, version

    def update_settings(self, settings: LoyaltySettings) -> LoyaltySettings:
        """Staff replace the rules; ``Rejected`` (``INVALID_SETTINGS``) changes nothing."""
        problems = check_settings(settings)
        if problems:
            raise Rejected(problems)
        _, version = self._settings_and_version(fresh=True)
        try:
            store.put_settings(settings, version)
        except ConditionsFailed:
            raise Rejected(
                [Problem(Code.CONCURRENT_UPDATE, "The rules changed meanwhile; read them again")]
            ) from None
        with self._lock:
            self._cached = None
        return self.settings()

    def points_rate(self, currency: Currency) -> PointsRate | None:
        """How points are earned and what they are worth in ``currency`` (None: neither)."""
        return self.settings().rate(currency)

    def points_value(self, currency: Currency) -> PointsValue | None:
        """What points are worth in ``currency``, as cart pricing takes it."""
        rate = self.points_rate(currency)
        return None if rate is None else PointsValue(rate.redeem_points, rate.redeem_value)

    # -- reads -------------------------------------------------------------------------

    def account(self, customer_id: str) -> LoyaltyAccount:
        """The customer's balance, tier, lots and history as of now (one Query)."""
        now = self._clock()
        read = store.read_ledger(customer_id)
        ledger = fold(read.entries, now)
        settings = self.settings()
        spend = ledger.spend_since(now - TIER_WINDOW)
        return LoyaltyAccount(
            customer_id=customer_id,
            balance=ledger.balance,
            tier=tier_of(ledger, settings, now),
            spend=tuple(Money(a, Currency(c)) for c, a in sorted(spend.items())),
            lots=ledger.lots,
            history=ledger.history,
            referral_code=referral_code(customer_id),
            referred=read.referral is not None,
        )

    def tier_segment(self, customer_id: str) -> str | None:
        """``tier:<name>`` of the customer's tier now, for promotions to target."""
        tier = self.account(customer_id).tier
        return None if tier is None else tier.segment

    def check_spendable(self, customer_id: str, points: int) -> None:
        """``Rejected`` (``INSUFFICIENT_POINTS``) when the balance is below ``points``."""
        balance = self.account(customer_id).balance
        if points > balance:
            raise Rejected([_insufficient(balance, points)])

    # -- checkout ----------------------------------------------------------------------

    def add_spend(self, writes: WriteSet, customer_id: str, order_id: str, points: int) -> None:
        """Spend ``points`` on an order, in checkout's transaction; ``InsufficientPoints``
        when the balance is lower. The write holds only while the ledger is as read
        (``store.ACCOUNT_LABEL`` names it when another change came first: read again)."""
        read = store.read_ledger(customer_id)
        at = _next_at(fold(read.entries, self._clock()), self._clock())
        ledger = fold(read.entries, at)
        entries = decisions.spent(ledger, order_id, points, at)
        if entries is None:
            raise InsufficientPoints(ledger.balance, points)
        store.add_entries(writes, customer_id, read, entries, ledger.balance - points)

    @staticmethod
    def lost_race(failed: ConditionsFailed) -> bool:
        """Whether a failed write set failed on a ledger another change moved meanwhile."""
        return store.ACCOUNT_LABEL in failed.labels

    # -- events ------------------------------------------------------------------------

    def order_paid(self, paid: PaidGoods) -> None:
        """Points for a paid order's goods, once per order, at the customer's tier's rate."""
        settings = self.settings()
        self._change(
            paid.customer_id, lambda ledger, at: decisions.earned(ledger, paid, settings, at)
        )
        self._referral_paid(paid, settings)

    def order_refunded(self, refund: OrderRefund) -> None:
        """A refund takes back the order's earned points and gives back its spent points,
        both pro rata of the amount refunded, once per refunded amount."""
        settings = self.settings()
        self._change(
            refund.customer_id, lambda ledger, at: decisions.refunded(ledger, refund, settings, at)
        )
        self._referral_refunded(refund, settings)

    def order_voided(self, customer_id: str, order_id: str) -> None:
        """An order cancelled or expired unpaid gives back every point it spent, once."""
        settings = self.settings()
        self._change(
            customer_id, lambda ledger, at: decisions.voided(ledger, order_id, settings, at)
        )

    def award_bonus(self, customer_id: str, rule: BonusRule, business_key: str) -> int:
        """A bonus rule's points, once per ``business_key`` (the review's id, the year of a
        birthday, the referred customer's id); the points given (0: already given, or the
        rule gives none)."""
        settings = self.settings()
        given: list[Entry] = []

        def decide(ledger: Ledger, at: datetime) -> list[Entry]:
            given[:] = decisions.bonus(ledger, rule, business_key, settings, at)
            return given

        self._change(customer_id, decide)
        return sum(e.points for e in given)

    def grant_birthday_bonuses(self, now: datetime) -> BirthdayRun:
        """The birthday bonus for every customer whose birthday is today or was yesterday
        (UTC, so a missed run is caught up the next day), once per customer and year: the
        year of the birthday is its business key, so a second run, a retry or a changed
        birthday gives nothing more that year."""
        if self._born_on is None:
            return BirthdayRun(0, 0, 0)
        customers = granted = points = 0
        today = now.astimezone(UTC).date()
        for day in (today - timedelta(days=1), today):
            for month, day_of_month in birthdays_celebrated(day):
                for customer_id in self._born_on(month, day_of_month):
                    customers += 1
                    given = self.award_bonus(customer_id, BonusRule.BIRTHDAY, str(day.year))
                    granted += 1 if given else 0
                    points += given
        return BirthdayRun(customers, granted, points)

    # -- referrals ---------------------------------------------------------------------

    def referrer_of(self, code: str) -> str | None:
        """The customer a referral code names (None: no account has it)."""
        referrer = code.strip().lower()
        if not is_id(referrer) or (
            self._customer_exists is not None and not self._customer_exists(referrer)
        ):
            return None
        return referrer

    def apply_referral(self, customer_id: str, code: str) -> LoyaltyAccount:
        """A new customer names who referred them, once. Refused, changing nothing: a code
        of no account (``INVALID_REFERRAL_CODE``), their own (``SELF_REFERRAL``), a
        second one (``ALREADY_REFERRED``), or a customer who has paid an order already
        (``EXISTING_CUSTOMER``: a referral brings new customers)."""
        referrer = self.referrer_of(code)
        field = ("code",)
        if referrer is None:
            raise Rejected(
                [Problem(Code.INVALID_REFERRAL_CODE, "No customer has this code", field)]
            )
        if referrer == customer_id:
            raise Rejected([Problem(Code.SELF_REFERRAL, "This is your own code", field)])
        read = store.read_ledger(customer_id)
        if read.referral is not None:
            raise Rejected([_already_referred()])
        if any(e.kind is EntryKind.EARNED for e in read.entries):
            raise Rejected(
                [
                    Problem(
                        Code.EXISTING_CUSTOMER,
                        "Referral codes are for customers before their first order",
                        field,
                    )
                ]
            )
        if not store.put_referral(customer_id, referrer, self._clock()):
            raise Rejected([_already_referred()])
        return self.account(customer_id)

    def _referral_paid(self, paid: PaidGoods, settings: LoyaltySettings) -> None:
        """The referral bonuses, when this is the referred customer's first order paid
        after the referral: to the referrer and (if staff set it) to the customer, once."""
        referral = store.get_referral(paid.customer_id)
        if referral is None:
            return
        if referral.first_order_id is None:
            if paid.paid_at < referral.at:
                return
            referral = store.set_first_order(paid.customer_id, paid.order_id, paid.paid_at)
        if referral is None or referral.first_order_id != paid.order_id:
            return
        referred = paid.customer_id
        for customer_id, rule in (
            (referral.referrer_id, BonusRule.REFERRAL),
            (referred, BonusRule.REFERRED),
        ):
            self._change(customer_id, _giving(rule, referred, settings))

    def _referral_refunded(self, refund: OrderRefund, settings: LoyaltySettings) -> None:
        """A full refund of the referral's first order within the holding period (from
        its payment) takes both referral bonuses back, once; after it they stay."""
        if refund.refunded < refund.paid:
            return
        referral = store.get_referral(refund.customer_id)
        if referral is None or referral.first_order_id != refund.order_id:
            return
        paid_at = referral.first_paid_at
        if paid_at is None or self._clock() > paid_at + settings.referral_hold:
            return
        referred = refund.customer_id
        for customer_id, rule in (
            (referral.referrer_id, BonusRule.REFERRAL),
            (referred, BonusRule.REFERRED),
        ):
            self._change(customer_id, _taking_back(rule, referred))

    # -- staff -------------------------------------------------------------------------

    def adjust(self, command: AdjustPoints, adjustment_id: str) -> LoyaltyAccount:
        """Staff add or take points with a reason; taking more than the balance is
        refused (``INSUFFICIENT_POINTS``) and changes nothing. ``adjustment_id`` is the
        change's business key: the same id again adds nothing and answers the account as
        it is (a retry); with another amount or reason it is refused
        (``IDEMPOTENCY_KEY_REUSED``)."""
        customer_id = command.customer_id
        if self._customer_exists is not None and not self._customer_exists(customer_id):
            raise Rejected(
                [Problem(Code.CUSTOMER_NOT_FOUND, "Customer not found", ("customerId",))]
            )
        settings = self.settings()

        def decide(ledger: Ledger, at: datetime) -> list[Entry]:
            if decisions.adjustment_reused(ledger, adjustment_id, command.points, command.reason):
                raise Rejected(
                    [
                        Problem(
                            Code.IDEMPOTENCY_KEY_REUSED,
                            "This idempotency key was used for another change; use a new key",
                            ("idempotencyKey",),
                        )
                    ]
                )
            found = decisions.adjusted(
                ledger,
                adjustment_id=adjustment_id,
                points=command.points,
                reason=command.reason,
                settings=settings,
                at=at,
            )
            if found is None:
                raise Rejected([_insufficient(ledger.balance, -command.points)])
            return found

        self._change(customer_id, decide)
        return self.account(customer_id)

    # -- the one way the ledger changes -------------------------------------------------

    def _change(self, customer_id: str, decide: Decide) -> None:
        for _ in range(MAX_ATTEMPTS):
            read = store.read_ledger(customer_id)
            at = _next_at(fold(read.entries, self._clock()), self._clock())
            ledger = fold(read.entries, at)
            entries = decide(ledger, at)
            if not entries:
                return
            balance = ledger.balance + sum(e.points for e in entries)
            writes = WriteSet()
            store.add_entries(writes, customer_id, read, entries, balance)
            if self._record_tiers is not None:
                # Every change, so a new member is in the lowest tier's segment too.
                after = fold([*read.entries, *entries], at)
                self._record_tiers(writes, customer_id, tier_schedule(after, self.settings(), at))
            try:
                writes.commit()
            except ConditionsFailed as failed:
                # Lost to another change of the ledger, or to a transaction on the same
                # items at the same moment (the payment counting the order): again.
                if not (self.lost_race(failed) or set(failed.labels) <= {CONFLICT}):
                    raise
                continue
            return
        raise Rejected([Problem(Code.CONCURRENT_UPDATE, "The points changed meanwhile; retry")])


def _next_at(ledger: Ledger, now: datetime) -> datetime:
    """Entries are recorded in time order even when instances' clocks differ a little."""
    last = ledger.last_at()
    return now if last is None or now > last else last + timedelta(microseconds=1)


def _giving(rule: BonusRule, referred: str, settings: LoyaltySettings) -> Decide:
    return lambda ledger, at: decisions.referral_bonus(ledger, rule, referred, settings, at)


def _taking_back(rule: BonusRule, referred: str) -> Decide:
    return lambda ledger, at: decisions.referral_taken_back(ledger, rule, referred, at)


def _already_referred() -> Problem:
    return Problem(Code.ALREADY_REFERRED, "A referral code was applied already", ("code",))


def _insufficient(balance: int, wanted: int) -> Problem:
    return Problem(
        Code.INSUFFICIENT_POINTS,
        f"Only {balance} points are available; {wanted} were asked for",
        ("points",),
    )
