"""The points ledger: entries in, lots, balance and history out. Pure.

Only what happened is stored (points earned, given, spent, taken back, restored); which
lot a spend drew on and which lot expired are derived here, every time the ledger is
read, by one fold in time order. So the history *is* the balance: the balance is the sum
of the history's entries, the derived expiries included, and nothing stored can drift
from it. Lots are drawn first-in-first-out by expiry (the lot that expires first is spent
first); at its expiry a lot's remainder is an ``EXPIRED`` entry of its own.
"""

from __future__ import annotations

import enum
from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from commerce.money import Money


class EntryKind(enum.Enum):
    """What an entry of the ledger records."""

    # Points for a paid order's goods (a lot).
    EARNED = "EARNED"
    # A bonus rule's points: sign-up, first review, birthday, referral (a lot).
    BONUS = "BONUS"
    # Staff changed the balance by hand, with a reason (a lot when positive).
    ADJUSTED = "ADJUSTED"
    # Points spent on an order's discount at checkout.
    SPENT = "SPENT"
    # Points earned on an order taken back for its refund, pro rata.
    REVERSED = "REVERSED"
    # Points spent on an order given back: its refund (pro rata) or its cancellation (a lot).
    RESTORED = "RESTORED"
    # A lot's remainder at its expiry (derived, never stored).
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class Entry:
    """One change of the balance.

    ``key`` is the business event's key (``order:<id>:earn``, ``bonus:SIGN_UP``): one entry
    per key, so a replayed event finds its entry and changes nothing. A positive entry is a
    lot that expires at ``expires_at``. ``spend`` is the goods' value the entry adds to (or,
    negative, takes from) the customer's rolling spend, which sets their tier. ``covers``
    is, for refund entries, the order's refunded amount they account for.
    """

    key: str
    kind: EntryKind
    points: int
    at: datetime
    expires_at: datetime | None = None
    order_id: str | None = None
    reason: str = ""
    spend: Money | None = None
    covers: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.points, bool) or not isinstance(self.points, int):
            raise TypeError("Entry.points must be an int")
        if self.points > 0 and self.expires_at is None:
            raise ValueError("a positive entry is a lot and needs its expiry")


@dataclass(frozen=True, slots=True)
class Draw:
    """Points an entry took from one lot."""

    lot_key: str
    points: int


@dataclass(frozen=True, slots=True)
class Line:
    """A history line: an entry (stored or derived) and the lots it drew on."""

    entry: Entry
    draws: tuple[Draw, ...] = ()


@dataclass(frozen=True, slots=True)
class Lot:
    """Points from one positive entry and what is left of them."""

    key: str
    points: int
    remaining: int
    at: datetime
    expires_at: datetime
    order_id: str | None


@dataclass(frozen=True, slots=True)
class Ledger:
    """A customer's ledger as of ``now``: the open lots, the history, the balance."""

    now: datetime
    lots: tuple[Lot, ...]
    history: tuple[Line, ...]
    # The stored entries by key (a business event already recorded is in here).
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def balance(self) -> int:
        """The points that can be spent now: the sum of the history's entries."""
        return sum(line.entry.points for line in self.history)

    def has(self, key: str) -> bool:
        """Whether the business event with this key is recorded."""
        return key in self.entries

    def of_order(self, order_id: str, kind: EntryKind) -> list[Entry]:
        """The stored entries of one kind for one order."""
        return [e for e in self.entries.values() if e.order_id == order_id and e.kind is kind]

    def spend_since(self, start: datetime) -> dict[str, int]:
        """Goods paid after ``start`` (net of refunds), by currency code: what tiers read."""
        found: dict[str, int] = {}
        for entry in self.entries.values():
            if entry.spend is not None and entry.at > start:
                code = entry.spend.currency.value
                found[code] = found.get(code, 0) + entry.spend.amount
        return found

    def last_at(self) -> datetime | None:
        """When the newest stored entry was recorded."""
        return max((e.at for e in self.entries.values()), default=None)


class LedgerError(ValueError):
    """Stored entries that take more points than there were: never written by the service."""


def _order(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.at, e.key))


@dataclass(slots=True)
class _Open:
    """A lot while folding (mutable, private to ``fold``)."""

    expires_at: datetime
    at: datetime
    key: str
    points: int
    remaining: int
    order_id: str | None

    def sort_key(self) -> tuple[datetime, datetime, str]:
        return (self.expires_at, self.at, self.key)


def fold(entries: Iterable[Entry], now: datetime) -> Ledger:
    """The ledger as of ``now``: lots opened, drawn first-expiring-first, expired on time.

    Open lots are kept sorted by expiry, so expiring and drawing look at the front only:
    a fold is linear in the entries but for the sorted insertions."""
    stored = _order(entries)
    lots: list[_Open] = []  # sorted by (expires_at, at, key); none empty
    history: list[Line] = []

    def expire_until(moment: datetime) -> None:
        while lots and lots[0].expires_at <= moment:
            lot = lots.pop(0)
            gone = Entry(
                key=f"expired:{lot.key}",
                kind=EntryKind.EXPIRED,
                points=-lot.remaining,
                at=lot.expires_at,
                order_id=lot.order_id,
            )
            history.append(Line(gone, (Draw(lot.key, lot.remaining),)))

    for entry in stored:
        expire_until(entry.at)
        if entry.points > 0:
            assert entry.expires_at is not None
            insort(
                lots,
                _Open(
                    entry.expires_at,
                    entry.at,
                    entry.key,
                    entry.points,
                    entry.points,
                    entry.order_id,
                ),
                key=_Open.sort_key,
            )
            history.append(Line(entry))
        elif entry.points < 0:
            history.append(Line(entry, _draw(lots, -entry.points, entry)))
        else:
            history.append(Line(entry))
    expire_until(now)
    found = tuple(
        Lot(lot.key, lot.points, lot.remaining, lot.at, lot.expires_at, lot.order_id)
        for lot in lots
    )
    return Ledger(now, found, tuple(history), {e.key: e for e in stored})


def _draw(lots: list[_Open], points: int, entry: Entry) -> tuple[Draw, ...]:
    """Take ``points`` from ``lots`` (changed in place, emptied lots removed): an
    earned-points reversal from its own order's lot first, everything else
    first-expiring-first."""
    order = list(range(len(lots)))
    if entry.kind is EntryKind.REVERSED:
        own = [i for i in order if lots[i].order_id == entry.order_id]
        order = own + [i for i in order if lots[i].order_id != entry.order_id]
    left = points
    draws: list[Draw] = []
    for i in order:
        if left == 0:
            break
        lot = lots[i]
        take = min(lot.remaining, left)
        draws.append(Draw(lot.key, take))
        lot.remaining -= take
        left -= take
    if left:
        raise LedgerError(f"entry {entry.key} takes {points} points, {points - left} were left")
    lots[:] = [lot for lot in lots if lot.remaining > 0]
    return tuple(draws)


def newest_first(
    history: tuple[Line, ...], first: int, after: str | None
) -> tuple[tuple[Line, ...], bool] | None:
    """One page of the history, newest first: the ``first`` lines older than the line
    whose key is ``after`` (None: from the newest), and whether older lines follow; None
    when no line has that key.

    A line's key never changes and lines are only ever added after the newest (entries
    are recorded in time order, expiries appear as their moment passes and are older than
    any entry recorded after it), so a page read later continues where the last one ended.
    """
    lines = history[::-1]
    start = 0
    if after is not None:
        found = next((i for i, line in enumerate(lines) if line.entry.key == after), None)
        if found is None:
            return None
        start = found + 1
    chosen = lines[start : start + first]
    return chosen, start + first < len(lines)
