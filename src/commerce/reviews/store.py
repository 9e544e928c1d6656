"""Reviews, their listings, votes and moderation log; review requests; order feedback.

Keys (see ``docs/data-model.md``):

- ``REVIEW#<id> / REVIEW``: the review; ``rev`` for compare-and-swap; GSI1
  ``REVIEWS#<state> / <created>#<id>`` (staff read by state, newest first)
- ``REVIEWCLAIM#<customer id> / PRODUCT#<product id>``: one review per customer per product
  (put with ``attribute_not_exists`` in the review's creation)
- ``PRODUCTREVIEWS#<product id> / N#<created>#<id>`` and ``/ R#<rating>#<created>#<id>``: the
  shown reviews of a product, newest first and by rating, while the review is shown
- ``REVIEWLOG#<review id> / <entry id>``: moderation decisions, time-ordered, never rewritten
- ``REVIEWVOTE#<review id> / <CUSTOMER|VISITOR>#<id>``: one helpful vote per shopper
- ``ORDERREVIEWS#<order id> / REVIEW#<review id>``: the reviews written on an order (a full
  refund ends their verified mark)
- ``ORDERREVIEWS#<order id> / REQUEST#<line id>``: the review request of a line; GSI1
  ``REVIEWREQUESTS#<due day> / <due>#<order id>#<line id>`` while pending (sparse)
- ``FEEDBACK#<order id> / FEEDBACK``: the buyer's feedback; GSI1 ``ORDERFEEDBACK /
  <submitted>#<order id>``
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition

from commerce.db.table import MAX_BATCH_GET_KEYS, TableItem
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.reviews.model import (
    ModerationEntry,
    OrderFeedback,
    PolicyViolation,
    Reply,
    RequestState,
    Review,
    ReviewRequest,
    ReviewState,
)

REVIEW_SK = "REVIEW"
FEEDBACK_SK = "FEEDBACK"
FEEDBACK_PARTITION = "ORDERFEEDBACK"
# Labels of the conditions a use case turns into problems.
CLAIMED = "claimed"
REVIEW_CHANGED = "review-changed"
VOTED = "voted"
FEEDBACK_GIVEN = "feedback-given"
REQUEST_CHANGED = "request-changed"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def review_pk(review_id: str) -> str:
    return f"REVIEW#{review_id}"


def claim_key(customer_id: str, product_id: str) -> tuple[str, str]:
    return f"REVIEWCLAIM#{customer_id}", f"PRODUCT#{product_id}"


def listing_pk(product_id: str) -> str:
    return f"PRODUCTREVIEWS#{product_id}"


def newest_sk(review: Review) -> str:
    return f"N#{_iso(review.created_at)}#{review.id}"


def rating_sk(review: Review) -> str:
    return f"R#{review.rating}#{_iso(review.created_at)}#{review.id}"


def order_pk(order_id: str) -> str:
    return f"ORDERREVIEWS#{order_id}"


def request_due_pk(due: datetime) -> str:
    return f"REVIEWREQUESTS#{due.date().isoformat()}"


class ReviewItem(TableItem, discriminator="Review"):
    """One review; ``reply_*`` hold the shop's public answer."""

    review_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    order_id = UnicodeAttribute()
    line_id = UnicodeAttribute()
    rating = NumberAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    verified = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    helpful_votes = NumberAttribute(default=0)
    reply_body = UnicodeAttribute(null=True)
    reply_at = UTCDateTimeAttribute(null=True)
    rev = NumberAttribute(default=0)


class ReviewClaimItem(TableItem, discriminator="ReviewClaim"):
    """The customer has reviewed the product (``review_id``)."""

    review_id = UnicodeAttribute()


class ReviewListingItem(TableItem, discriminator="ReviewListing"):
    """A shown review's place in its product's lists."""

    review_id = UnicodeAttribute()


class ModerationItem(TableItem, discriminator="ReviewModeration"):
    """One moderation decision."""

    review_id = UnicodeAttribute()
    from_state = UnicodeAttribute()
    to_state = UnicodeAttribute()
    policy = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class VoteItem(TableItem, discriminator="ReviewVote"):
    """A shopper found the review helpful."""

    at = UTCDateTimeAttribute()


class OrderReviewItem(TableItem, discriminator="OrderReview"):
    """A review written on this order."""

    review_id = UnicodeAttribute()


class ReviewRequestItem(TableItem, discriminator="ReviewRequest"):
    """The request to review one purchased line."""

    order_id = UnicodeAttribute()
    line_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    title = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    state = UnicodeAttribute()


class FeedbackItem(TableItem, discriminator="OrderFeedback"):
    """The buyer's feedback on an order."""

    order_id = UnicodeAttribute()
    order_number = NumberAttribute()
    customer_id = UnicodeAttribute(null=True)
    delivery_rating = NumberAttribute()
    service_rating = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    submitted_at = UTCDateTimeAttribute()


# -- reviews -------------------------------------------------------------------------------


def _review_item(review: Review) -> ReviewItem:
    return ReviewItem(
        pk=review_pk(review.id),
        sk=REVIEW_SK,
        gsi1pk=f"REVIEWS#{review.state.value}",
        gsi1sk=f"{_iso(review.created_at)}#{review.id}",
        review_id=review.id,
        product_id=review.product_id,
        customer_id=review.customer_id,
        author_name=review.author_name,
        order_id=review.order_id,
        line_id=review.line_id,
        rating=review.rating,
        title=review.title,
        body=review.body or None,
        state=review.state.value,
        verified=review.verified,
        created_at=review.created_at,
        updated_at=review.updated_at,
        helpful_votes=review.helpful_votes,
        reply_body=None if review.reply is None else review.reply.body,
        reply_at=None if review.reply is None else review.reply.at,
        rev=review.rev + 1,
    )


def _review(item: ReviewItem) -> Review:
    reply = None
    if item.reply_body is not None and item.reply_at is not None:
        reply = Reply(item.reply_body, item.reply_at)
    return Review(
        id=item.review_id,
        product_id=item.product_id,
        customer_id=item.customer_id,
        author_name=item.author_name,
        order_id=item.order_id,
        line_id=item.line_id,
        rating=int(item.rating),
        title=item.title,
        body=item.body or "",
        state=ReviewState(item.state),
        verified=bool(item.verified),
        created_at=item.created_at,
        updated_at=item.updated_at,
        helpful_votes=int(item.helpful_votes or 0),
        reply=reply,
        rev=int(item.rev or 0),
    )


def get_review(review_id: str) -> Review | None:
    """One review, strongly consistent."""
    try:
        return _review(ReviewItem.get(review_pk(review_id), REVIEW_SK, consistent_read=True))
    except ReviewItem.DoesNotExist:
        return None


def get_reviews(review_ids: Sequence[str]) -> dict[str, Review]:
    """Reviews by id (strongly consistent BatchGetItem, 100 keys a call)."""
    keys = [(review_pk(rid), REVIEW_SK) for rid in dict.fromkeys(review_ids)]
    found: dict[str, Review] = {}
    for start in range(0, len(keys), MAX_BATCH_GET_KEYS):
        for item in ReviewItem.batch_get(keys[start : start + MAX_BATCH_GET_KEYS]):
            if isinstance(item, ReviewItem):
                found[item.review_id] = _review(item)
    return found


def claimed_review_id(customer_id: str, product_id: str) -> str | None:
    """The id of the customer's review of the product, if they wrote one."""
    pk, sk = claim_key(customer_id, product_id)
    try:
        return str(ReviewClaimItem.get(pk, sk, consistent_read=True).review_id)
    except ReviewClaimItem.DoesNotExist:
        return None


def _unchanged(before: Review) -> Condition:
    condition: Condition = ReviewItem.pk.exists() & (ReviewItem.rev == before.rev)
    return condition


def _listing_items(review: Review) -> list[ReviewListingItem]:
    pk = listing_pk(review.product_id)
    return [
        ReviewListingItem(pk=pk, sk=newest_sk(review), review_id=review.id),
        ReviewListingItem(pk=pk, sk=rating_sk(review), review_id=review.id),
    ]


def add_review_change(writes: WriteSet, before: Review | None, after: Review | None) -> None:
    """The review written (or deleted, ``after`` None) with its claim, listing entries and
    order link; it fails ``REVIEW_CHANGED`` if someone changed it since ``before`` was read,
    and ``CLAIMED`` when a new review's customer reviewed the product already."""
    if before is None and after is not None:
        pk, sk = claim_key(after.customer_id, after.product_id)
        writes.put(
            ReviewClaimItem(pk=pk, sk=sk, review_id=after.id),
            ReviewClaimItem.pk.does_not_exist(),
            label=CLAIMED,
        )
        writes.put(
            OrderReviewItem(
                pk=order_pk(after.order_id), sk=f"REVIEW#{after.id}", review_id=after.id
            )
        )
        writes.put(_review_item(after), ReviewItem.pk.does_not_exist(), label=REVIEW_CHANGED)
    elif before is not None and after is None:
        pk, sk = claim_key(before.customer_id, before.product_id)
        writes.delete(ReviewClaimItem(pk=pk, sk=sk))
        writes.delete(OrderReviewItem(pk=order_pk(before.order_id), sk=f"REVIEW#{before.id}"))
        writes.delete(
            ReviewItem(pk=review_pk(before.id), sk=REVIEW_SK), _unchanged(before), REVIEW_CHANGED
        )
    elif before is not None and after is not None:
        writes.put(_review_item(after), _unchanged(before), label=REVIEW_CHANGED)
    old = {i.sk: i for i in _listing_items(before)} if before is not None and before.shown else {}
    new = {i.sk: i for i in _listing_items(after)} if after is not None and after.shown else {}
    for sk, item in old.items():
        if sk not in new:
            writes.delete(item)
    for sk, item in new.items():
        if sk not in old:
            writes.put(item)


def add_helpful_vote(writes: WriteSet, review: Review, voter: str, at: datetime) -> None:
    """One vote per (review, voter): the vote's put fails ``VOTED`` the second time. The
    count's ADD also moves ``rev``, so an author's edit read before it retries instead of
    writing back the old count."""
    writes.put(
        VoteItem(pk=f"REVIEWVOTE#{review.id}", sk=voter, at=at),
        VoteItem.pk.does_not_exist(),
        label=VOTED,
    )
    writes.update(
        ReviewItem(pk=review_pk(review.id), sk=REVIEW_SK),
        [ReviewItem.helpful_votes.add(1), ReviewItem.rev.add(1)],
        _unchanged(review),
        label=REVIEW_CHANGED,
    )


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """Reviews in listing order, each with its cursor, and whether more follow."""

    reviews: tuple[tuple[Review, str], ...]
    has_next_page: bool


def encode_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode()).decode()


def decode_cursor(cursor: str) -> str | None:
    """The key inside a cursor; None when it is not one of ours."""
    try:
        sk = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return sk if 0 < len(sk) <= 300 and "#" in sk else None


def product_reviews(
    product_id: str, prefix: str, newest_first: bool, first: int, after: str | None
) -> ReviewPage:
    """A page of a product's shown reviews: one Query of its list, one BatchGetItem."""
    condition = ReviewListingItem.sk.startswith(prefix)
    if after is not None:
        bound = ReviewListingItem.sk < after if newest_first else ReviewListingItem.sk > after
        condition = condition & bound
    entries = list(
        ReviewListingItem.query(
            listing_pk(product_id),
            range_key_condition=condition,
            scan_index_forward=not newest_first,
            limit=first + 1,
            consistent_read=True,
        )
    )
    more = len(entries) > first
    entries = entries[:first]
    found = get_reviews([str(e.review_id) for e in entries])
    rows = tuple(
        (found[str(e.review_id)], encode_cursor(str(e.sk)))
        for e in entries
        if str(e.review_id) in found
    )
    return ReviewPage(rows, more)


def reviews_in_state(state: ReviewState, first: int, after: str | None) -> ReviewPage:
    """Staff: reviews in one state, newest first (GSI1)."""
    condition = None if after is None else ReviewItem.gsi1sk < after
    items = list(
        TableItem.gsi1.query(
            f"REVIEWS#{state.value}",
            range_key_condition=condition,
            scan_index_forward=False,
            limit=first + 1,
        )
    )
    reviews = [i for i in items if isinstance(i, ReviewItem)]
    more = len(reviews) > first
    rows = tuple((_review(i), encode_cursor(str(i.gsi1sk))) for i in reviews[:first])
    return ReviewPage(rows, more)


def order_review_ids(order_id: str) -> list[str]:
    """The ids of the reviews written on an order (one Query)."""
    return [
        str(item.review_id)
        for item in OrderReviewItem.query(
            order_pk(order_id), OrderReviewItem.sk.startswith("REVIEW#"), consistent_read=True
        )
    ]


# -- moderation log ------------------------------------------------------------------------


def add_moderation_entry(writes: WriteSet, entry: ModerationEntry) -> None:
    writes.put(
        ModerationItem(
            pk=f"REVIEWLOG#{entry.review_id}",
            sk=entry.id,
            review_id=entry.review_id,
            from_state=entry.from_state.value,
            to_state=entry.to_state.value,
            policy=None if entry.policy is None else entry.policy.value,
            reason=entry.reason,
            actor=entry.actor,
            at=entry.at,
        ),
        ModerationItem.pk.does_not_exist(),
    )


def moderation_log(review_id: str) -> list[ModerationEntry]:
    """Every decision on a review, oldest first (one Query)."""
    return [
        ModerationEntry(
            id=str(item.sk),
            review_id=item.review_id,
            from_state=ReviewState(item.from_state),
            to_state=ReviewState(item.to_state),
            policy=None if item.policy is None else PolicyViolation(item.policy),
            reason=item.reason,
            actor=item.actor,
            at=item.at,
        )
        for item in ModerationItem.query(f"REVIEWLOG#{review_id}", consistent_read=True)
    ]


# -- review requests -----------------------------------------------------------------------


def _request(item: ReviewRequestItem) -> ReviewRequest:
    return ReviewRequest(
        order_id=item.order_id,
        line_id=item.line_id,
        product_id=item.product_id,
        customer_id=item.customer_id,
        title=item.title,
        due_at=item.due_at,
        state=RequestState(item.state),
    )


def put_request_once(request: ReviewRequest) -> bool:
    """Schedule a line's request unless it has one already (sent, cancelled or pending)."""
    item = ReviewRequestItem(
        pk=order_pk(request.order_id),
        sk=f"REQUEST#{request.line_id}",
        gsi1pk=request_due_pk(request.due_at),
        gsi1sk=f"{_iso(request.due_at)}#{request.order_id}#{request.line_id}",
        order_id=request.order_id,
        line_id=request.line_id,
        product_id=request.product_id,
        customer_id=request.customer_id,
        title=request.title,
        due_at=request.due_at,
        state=request.state.value,
    )
    writes = WriteSet()
    writes.put(item, ReviewRequestItem.pk.does_not_exist(), label=REQUEST_CHANGED)
    try:
        writes.commit()
    except ConditionsFailed:
        return False
    return True


def order_requests(order_id: str) -> list[ReviewRequest]:
    """Every request of an order's lines (one Query)."""
    return [
        _request(item)
        for item in ReviewRequestItem.query(
            order_pk(order_id), ReviewRequestItem.sk.startswith("REQUEST#"), consistent_read=True
        )
    ]


def add_request_settled(writes: WriteSet, request: ReviewRequest, state: RequestState) -> None:
    """Move a pending request to ``state`` and out of the due index; fails
    ``REQUEST_CHANGED`` unless it was still pending."""
    writes.update(
        ReviewRequestItem(pk=order_pk(request.order_id), sk=f"REQUEST#{request.line_id}"),
        [
            ReviewRequestItem.state.set(state.value),
            ReviewRequestItem.gsi1pk.remove(),
            ReviewRequestItem.gsi1sk.remove(),
        ],
        ReviewRequestItem.state == RequestState.PENDING.value,
        label=REQUEST_CHANGED,
    )


def due_requests(day: datetime, now: datetime) -> list[ReviewRequest]:
    """Pending requests of one due day that are due by ``now`` (GSI1, sparse)."""
    items = TableItem.gsi1.query(
        request_due_pk(day),
        range_key_condition=ReviewRequestItem.gsi1sk <= f"{_iso(now)}#~",
    )
    return [_request(i) for i in items if isinstance(i, ReviewRequestItem)]


def due_days(now: datetime, lookback_days: int) -> list[datetime]:
    """The due days a run reads: today and the ``lookback_days`` before it."""
    return [now - timedelta(days=back) for back in range(lookback_days, -1, -1)]


# -- order feedback ------------------------------------------------------------------------


def add_feedback(writes: WriteSet, feedback: OrderFeedback) -> None:
    """Once per order: a second put fails ``FEEDBACK_GIVEN``."""
    writes.put(
        FeedbackItem(
            pk=f"FEEDBACK#{feedback.order_id}",
            sk=FEEDBACK_SK,
            gsi1pk=FEEDBACK_PARTITION,
            gsi1sk=f"{_iso(feedback.submitted_at)}#{feedback.order_id}",
            order_id=feedback.order_id,
            order_number=feedback.order_number,
            customer_id=feedback.customer_id,
            delivery_rating=feedback.delivery_rating,
            service_rating=feedback.service_rating,
            comment=feedback.comment or None,
            submitted_at=feedback.submitted_at,
        ),
        FeedbackItem.pk.does_not_exist(),
        label=FEEDBACK_GIVEN,
    )


def _feedback(item: FeedbackItem) -> OrderFeedback:
    return OrderFeedback(
        order_id=item.order_id,
        order_number=int(item.order_number),
        customer_id=item.customer_id,
        delivery_rating=int(item.delivery_rating),
        service_rating=int(item.service_rating),
        comment=item.comment or "",
        submitted_at=item.submitted_at,
    )


def feedback_page(first: int, after: str | None) -> tuple[list[tuple[OrderFeedback, str]], bool]:
    """Staff: feedback newest first (GSI1), with cursors."""
    condition = None if after is None else FeedbackItem.gsi1sk < after
    items = [
        i
        for i in TableItem.gsi1.query(
            FEEDBACK_PARTITION,
            range_key_condition=condition,
            scan_index_forward=False,
            limit=first + 1,
        )
        if isinstance(i, FeedbackItem)
    ]
    rows = [(_feedback(i), encode_cursor(str(i.gsi1sk))) for i in items[:first]]
    return rows, len(items) > first
