"""Path counts the data-driven models are fitted on, and the weights fitted from them.

Keys (see ``docs/data-model.md``):

- ``ATTRIBUTION#PATHS / C#<channel path>`` and ``/ N#<channel path>``: how many journeys
  with that channel path (``paid_search>email>direct``) converted, and how many have
  not (yet). A visitor's open path moves from one N count to the next as touches arrive;
  a conversion moves it to C. Counters are ADD updates.
- ``VISITOR#<visitor id> / PATH``: the visitor's channel path since its last conversion
  (at most 40 channels: the first and the latest, as journeys keep them).
- ``ATTRIBUTION#WEIGHTS / CURRENT``: the last fitted Markov and Shapley weights and
  when they were fitted; a credited order records that moment.
"""

from __future__ import annotations

import json
from datetime import datetime
from fractions import Fraction

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from commerce.attribution import PathCounts, Weights
from commerce.db.table import TableItem
from commerce.db.writes import WriteSet
from commerce.journeys.store.visitors import visitor_pk

PATHS_PK = "ATTRIBUTION#PATHS"
WEIGHTS_PK = "ATTRIBUTION#WEIGHTS"
CURRENT_SK = "CURRENT"
PATH_SK = "PATH"
SEPARATOR = ">"
MAX_PATH = 40


class PathCountItem(TableItem, discriminator="AttributionPathCount"):
    journeys = NumberAttribute(attr_name="n")


class VisitorPathItem(TableItem, discriminator="VisitorPath"):
    channels = UnicodeAttribute()
    rev = NumberAttribute()


class WeightsItem(TableItem, discriminator="AttributionWeights"):
    markov = UnicodeAttribute()
    shapley = UnicodeAttribute()
    fitted_at = UTCDateTimeAttribute()
    conversions = NumberAttribute()


def _count_sk(converted: bool, path: tuple[str, ...]) -> str:
    return f"{'C' if converted else 'N'}#{SEPARATOR.join(path)}"


def add_count(writes: WriteSet, converted: bool, path: tuple[str, ...], amount: int) -> None:
    if not path:
        return
    writes.update(
        PathCountItem(pk=PATHS_PK, sk=_count_sk(converted, path)),
        [PathCountItem.journeys.add(amount), PathCountItem.entity.set(PathCountItem)],
        label="paths",
    )


def visitor_path(visitor_id: str) -> tuple[tuple[str, ...], int]:
    try:
        item = VisitorPathItem.get(visitor_pk(visitor_id), PATH_SK, consistent_read=True)
    except VisitorPathItem.DoesNotExist:
        return (), 0
    channels = tuple(item.channels.split(SEPARATOR)) if item.channels else ()
    return channels, int(item.rev)


def put_visitor_path(writes: WriteSet, visitor_id: str, path: tuple[str, ...], rev: int) -> None:
    condition = VisitorPathItem.pk.does_not_exist() if rev == 0 else VisitorPathItem.rev == rev
    writes.put(
        VisitorPathItem(
            pk=visitor_pk(visitor_id), sk=PATH_SK, channels=SEPARATOR.join(path), rev=rev + 1
        ),
        condition,
        label="path",
    )


def delete_visitor_path(visitor_id: str) -> None:
    """Forget the visitor's open path (erasure); its path count stays (it holds no id)."""
    VisitorPathItem(pk=visitor_pk(visitor_id), sk=PATH_SK).delete()


def counts() -> PathCounts:
    """Every path count (one Query of the counts partition; the fitting job's read)."""
    conversions: dict[tuple[str, ...], int] = {}
    non_conversions: dict[tuple[str, ...], int] = {}
    for item in PathCountItem.query(PATHS_PK, consistent_read=True):
        if not isinstance(item, PathCountItem) or int(item.journeys) <= 0:
            continue
        kind, _, raw = item.sk.partition("#")
        path = tuple(raw.split(SEPARATOR))
        (conversions if kind == "C" else non_conversions)[path] = int(item.journeys)
    return PathCounts(conversions=conversions, non_conversions=non_conversions)


def _fractions(raw: str) -> dict[str, Fraction]:
    return {k: Fraction(v) for k, v in json.loads(raw).items()}


def weights() -> tuple[Weights | None, datetime | None]:
    """The last fitted weights and when they were fitted; (None, None) before the first fit."""
    try:
        item = WeightsItem.get(WEIGHTS_PK, CURRENT_SK)
    except WeightsItem.DoesNotExist:
        return None, None
    return Weights(markov=_fractions(item.markov), shapley=_fractions(item.shapley)), item.fitted_at


def put_weights(fitted: Weights, at: datetime, conversions: int) -> None:
    WeightsItem(
        pk=WEIGHTS_PK,
        sk=CURRENT_SK,
        markov=json.dumps({k: str(v) for k, v in fitted.markov.items()}),
        shapley=json.dumps({k: str(v) for k, v in fitted.shapley.items()}),
        fitted_at=at,
        conversions=conversions,
    ).save()
