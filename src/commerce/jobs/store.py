"""Where each periodic job got to, so a run continues from there.

Keys (see ``docs/data-model.md``):

- ``JOB#<name> / CURSOR``: how far a job got (for the abandoned-cart sweep, the last hour
  bucket it swept). Written at the end of a successful run, so a failed run is repeated
  whole by the next one; the jobs are idempotent.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UTCDateTimeAttribute

from commerce.db.table import TableItem

CURSOR_SK = "CURSOR"


def job_pk(name: str) -> str:
    return f"JOB#{name}"


class JobCursorItem(TableItem, discriminator="JobCursor"):
    """A job's progress marker."""

    done_until = UTCDateTimeAttribute()


def cursor(name: str) -> datetime | None:
    """The last unit ``name`` finished, or None before its first run."""
    try:
        item = JobCursorItem.get(job_pk(name), CURSOR_SK, consistent_read=True)
    except JobCursorItem.DoesNotExist:
        return None
    return item.done_until


def advance(name: str, done_until: datetime) -> None:
    JobCursorItem(pk=job_pk(name), sk=CURSOR_SK, done_until=done_until).save()
