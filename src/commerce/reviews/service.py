"""The reviews context's use cases: reviews, votes, moderation, replies, review requests and
order feedback.

Every change of a review is one transaction: the review on its ``rev``, its listing entries,
its moderation entry, and the product's rating counts (the catalog's item, through the
catalog service). So the counts equal what the reviews say after every change, whatever
races or retries happen (docs/decisions/0021-reviews.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from commerce.catalog.service import CatalogService
from commerce.customers.model import ConsentChannel
from commerce.customers.service import CustomersService
from commerce.db.writes import ConditionsFailed, WriteSet
from commerce.ids import is_id, new_id
from commerce.journeys.service import JourneysService
from commerce.notifications.model import Channel, Notification, TemplateName
from commerce.notifications.service import add_to_outbox
from commerce.orders.model import Order, OrderLine, OrderStatus
from commerce.orders.service import OrdersService
from commerce.problems import Problem, Rejected
from commerce.reviews import store
from commerce.reviews.commands import (
    EditReview,
    ModerateReview,
    ReplyToReview,
    SubmitFeedback,
    VoteHelpful,
    WriteReview,
)
from commerce.reviews.errors import ReviewErrorCode as Code
from commerce.reviews.model import (
    ModerationEntry,
    OrderFeedback,
    Reply,
    RequestState,
    Review,
    ReviewRequest,
    ReviewState,
    author_name,
    feedback_problem,
    purchased_line,
    rating_deltas,
)
from commerce.reviews.store import ReviewPage

log = logging.getLogger("commerce.reviews")

# A lost race (a vote, another edit) is re-applied to the fresh review this many times.
_ATTEMPTS = 5
# How far back the request job looks for due days it has not finished (missed runs).
REQUEST_LOOKBACK_DAYS = 7
# How many of a customer's orders are searched for the purchase when no order is named.
_ORDERS_SEARCHED = 100


@dataclass(frozen=True, slots=True)
class RequestRun:
    """What one run of the review-request job did."""

    sent: int = 0
    cancelled: int = 0
    without_consent: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _not_found() -> Rejected:
    return Rejected([Problem(Code.REVIEW_NOT_FOUND, "No such review", ("reviewId",))])


class ReviewsService:
    """Reviews of purchased products and feedback on orders, over the single table."""

    def __init__(
        self,
        *,
        catalog: CatalogService,
        orders: OrdersService,
        customers: CustomersService,
        journeys: JourneysService,
        request_days: int,
        storefront_url: str,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._catalog = catalog
        self._orders = orders
        self._customers = customers
        self._journeys = journeys
        self._request_after = timedelta(days=request_days)
        self._storefront = storefront_url.rstrip("/")
        self._clock = clock

    # -- reads ---------------------------------------------------------------------------

    def review(self, review_id: str, *, include_hidden: bool) -> Review | None:
        """A review by id; a rejected one only for staff (``include_hidden``)."""
        if not is_id(review_id):
            return None
        found = store.get_review(review_id)
        if found is None or not (found.shown or include_hidden):
            return None
        return found

    def review_by(self, customer_id: str, product_id: str) -> Review | None:
        """The customer's review of the product, in whatever state, if they wrote one."""
        review_id = store.claimed_review_id(customer_id, product_id)
        return None if review_id is None else store.get_review(review_id)

    def product_reviews(
        self, product_id: str, sort: tuple[str, bool], first: int, after: str | None
    ) -> ReviewPage:
        """A page of a product's shown reviews; ``after`` is a cursor of the same sort."""
        prefix, newest_first = sort
        key = None if after is None else store.decode_cursor(after)
        if after is not None and (key is None or not key.startswith(prefix)):
            raise ValueError("not a cursor of this list")
        return store.product_reviews(product_id, prefix, newest_first, first, key)

    def reviews_in_state(self, state: ReviewState, first: int, after: str | None) -> ReviewPage:
        """Staff: the reviews in ``state``, newest first."""
        key = None if after is None else store.decode_cursor(after)
        if after is not None and key is None:
            raise ValueError("not a cursor of this list")
        return store.reviews_in_state(state, first, key)

    def moderation_log(self, review_id: str) -> list[ModerationEntry]:
        """Staff: every moderation decision on a review, oldest first."""
        return store.moderation_log(review_id)

    def feedback(
        self, first: int, after: str | None
    ) -> tuple[list[tuple[OrderFeedback, str]], bool]:
        """Staff: order feedback, newest first, with cursors."""
        key = None if after is None else store.decode_cursor(after)
        if after is not None and key is None:
            raise ValueError("not a cursor of this list")
        return store.feedback_page(first, key)

    # -- the author's reviews --------------------------------------------------------------

    def write(self, command: WriteReview, customer_id: str) -> Review:
        """A new review, verified by the paid line of the product it is tied to.

        With ``order_id`` that order must be the customer's, paid, not fully refunded, and
        hold the product; without, the customer's latest such order is used. A product the
        customer has not bought cannot be reviewed (PRODUCT_NOT_PURCHASED).
        """
        if store.claimed_review_id(customer_id, command.product_id) is not None:
            raise Rejected([_already_reviewed()])
        order, line = self._purchase(command, customer_id)
        customer = self._customers.customer(customer_id)
        now = self._clock()
        review = Review(
            id=new_id(int(now.timestamp() * 1000)),
            product_id=command.product_id,
            customer_id=customer_id,
            author_name=author_name(
                customer.first_name if customer else "", customer.last_name if customer else ""
            ),
            order_id=order.id,
            line_id=line.id,
            rating=command.rating,
            title=command.title.strip(),
            body=command.body.strip(),
            state=ReviewState.PUBLISHED,
            verified=True,
            created_at=now,
            updated_at=now,
        )
        try:
            self._commit(None, review)
        except ConditionsFailed as failed:
            if store.CLAIMED in failed.labels:
                raise Rejected([_already_reviewed()]) from None
            raise _concurrent() from None
        return review

    def edit(self, command: EditReview, customer_id: str) -> Review:
        """The author changes rating, title or body; the state stays (a rejected review
        stays hidden until staff publish it again)."""

        def change(current: Review) -> Review:
            if current.customer_id != customer_id:
                raise _not_found()
            return replace(
                current,
                rating=current.rating if command.rating is None else command.rating,
                title=current.title if command.title is None else command.title.strip(),
                body=current.body if command.body is None else command.body.strip(),
                updated_at=self._clock(),
            )

        return self._change(command.review_id, change)

    def delete(self, review_id: str, customer_id: str) -> str:
        """The author removes their review (they may then write a new one)."""
        for _ in range(_ATTEMPTS):
            current = store.get_review(review_id) if is_id(review_id) else None
            if current is None or current.customer_id != customer_id:
                raise _not_found()
            try:
                self._commit(current, None)
            except ConditionsFailed:
                continue
            return review_id
        raise _concurrent()

    # -- staff -------------------------------------------------------------------------

    def moderate(self, command: ModerateReview, actor: str) -> Review:
        """Move a review to a state, logging the decision with its reason and policy."""
        for _ in range(_ATTEMPTS):
            current = store.get_review(command.review_id) if is_id(command.review_id) else None
            if current is None:
                raise _not_found()
            if current.state is command.state:
                raise Rejected(
                    [Problem(Code.ALREADY_IN_STATE, "The review is in that state", ("state",))]
                )
            now = self._clock()
            after = replace(current, state=command.state, updated_at=now)
            entry = ModerationEntry(
                id=new_id(int(now.timestamp() * 1000)),
                review_id=current.id,
                from_state=current.state,
                to_state=command.state,
                policy=None if command.state is ReviewState.PUBLISHED else command.policy,
                reason=command.reason.strip(),
                actor=actor,
                at=now,
            )
            try:
                self._commit(current, after, entry)
            except ConditionsFailed:
                continue
            log.info(
                "review moderated",
                extra={"review_id": current.id, "to": command.state.value, "actor": actor},
            )
            return after
        raise _concurrent()

    def reply(self, command: ReplyToReview) -> Review:
        """The shop's public answer (a second answer replaces the first)."""
        now = self._clock()
        return self._change(
            command.review_id,
            lambda current: replace(current, reply=Reply(command.body.strip(), now)),
        )

    # -- shoppers ----------------------------------------------------------------------

    def vote_helpful(self, command: VoteHelpful, customer_id: str | None) -> Review:
        """One helpful vote per shopper: the customer, else the visitor of the token."""
        if customer_id is not None:
            voter = f"CUSTOMER#{customer_id}"
        elif command.visitor_token is None:
            raise Rejected(
                [Problem(Code.VOTER_REQUIRED, "Log in or send a visitor token", ("visitorToken",))]
            )
        else:
            visitor = self._journeys.visitor_of(command.visitor_token)
            if visitor is None:
                raise Rejected(
                    [
                        Problem(
                            Code.INVALID_VISITOR_TOKEN,
                            "The visitor token is not valid",
                            ("visitorToken",),
                        )
                    ]
                )
            voter = f"VISITOR#{visitor}"
        for _ in range(_ATTEMPTS):
            current = self.review(command.review_id, include_hidden=False)
            if current is None:
                raise _not_found()
            if current.customer_id == customer_id:
                raise Rejected(
                    [Problem(Code.OWN_REVIEW, "Authors cannot vote for their own review", ())]
                )
            writes = WriteSet()
            store.add_helpful_vote(writes, current, voter, self._clock())
            try:
                writes.commit()
            except ConditionsFailed as failed:
                if store.VOTED in failed.labels:
                    raise Rejected(
                        [Problem(Code.ALREADY_VOTED, "You found this review helpful already", ())]
                    ) from None
                continue
            return replace(current, helpful_votes=current.helpful_votes + 1, rev=current.rev + 1)
        raise _concurrent()

    def submit_feedback(self, command: SubmitFeedback, customer_id: str | None) -> OrderFeedback:
        """The buyer's feedback on an order, once; owner by token or by the order's link."""
        order = (
            self._orders.order_for(
                command.order_id, access_token=command.access_token, customer_id=customer_id
            )
            if is_id(command.order_id)
            else None
        )
        problem = feedback_problem(order)
        if problem is not None:
            raise Rejected([problem])
        assert order is not None
        feedback = OrderFeedback(
            order_id=order.id,
            order_number=order.number,
            customer_id=order.customer_id,
            delivery_rating=command.delivery_rating,
            service_rating=command.service_rating,
            comment=command.comment.strip(),
            submitted_at=self._clock(),
        )
        writes = WriteSet()
        store.add_feedback(writes, feedback)
        try:
            writes.commit()
        except ConditionsFailed:
            raise Rejected(
                [
                    Problem(
                        Code.FEEDBACK_ALREADY_SUBMITTED,
                        "Feedback on this order was given already",
                        ("orderId",),
                    )
                ]
            ) from None
        return feedback

    # -- what orders and downloads tell us (events function, download links) ------------

    def order_changed(self, order: Order) -> None:
        """A fulfilled order's physical lines get their requests; a refund cancels the
        order's pending ones, and a full refund ends its reviews' verified mark."""
        if order.status is OrderStatus.FULFILLED and order.customer_id is not None:
            fulfilled = order.fulfilled_at or order.updated_at
            for line in order.lines:
                if line.kind.value == "PHYSICAL":
                    self._schedule(order, line, fulfilled)
        if _refunded(order):
            self._cancel_requests(order.id)
        if order.status is OrderStatus.REFUNDED:
            self._unverify(order.id)

    def line_downloaded(self, order_id: str, line_id: str, at: datetime) -> None:
        """A digital line's first download: its request is due some days later."""
        order = self._orders.order(order_id)
        if order is None or order.customer_id is None:
            return
        line = next((li for li in order.lines if li.id == line_id), None)
        if line is not None and order.status in _STANDING and not _refunded(order):
            self._schedule(order, line, at)

    def send_due_requests(self, now: datetime) -> RequestRun:
        """Send the requests due by ``now``: once each, only to customers who agreed to
        email, never for a refunded order (those are cancelled instead)."""
        sent = cancelled = without_consent = 0
        for day in store.due_days(now, REQUEST_LOOKBACK_DAYS):
            for request in store.due_requests(day, now):
                outcome = self._send(request, now)
                sent += outcome is RequestState.SENT
                cancelled += outcome is RequestState.CANCELLED
                without_consent += outcome is RequestState.NO_CONSENT
        return RequestRun(sent, cancelled, without_consent)

    def requests_of_order(self, order_id: str) -> list[ReviewRequest]:
        """Every review request of an order's lines."""
        return store.order_requests(order_id)

    # -- inside --------------------------------------------------------------------------

    def _purchase(self, command: WriteReview, customer_id: str) -> tuple[Order, OrderLine]:
        if command.order_id is not None:
            order = self._orders.order(command.order_id) if is_id(command.order_id) else None
            found = purchased_line(order, customer_id, command.product_id)
            if isinstance(found, Problem):
                raise Rejected([found])
            assert order is not None
            return order, found
        page = self._orders.orders_of_customer(customer_id, _ORDERS_SEARCHED, None)
        for order in page.orders:
            found = purchased_line(order, customer_id, command.product_id)
            if not isinstance(found, Problem):
                return order, found
        raise Rejected(
            [
                Problem(
                    Code.PRODUCT_NOT_PURCHASED,
                    "Only products bought and paid for (and not refunded) can be reviewed",
                    ("productId",),
                )
            ]
        )

    def _change(self, review_id: str, change: Callable[[Review], Review]) -> Review:
        for _ in range(_ATTEMPTS):
            current = store.get_review(review_id) if is_id(review_id) else None
            if current is None:
                raise _not_found()
            after = change(current)
            try:
                self._commit(current, after)
            except ConditionsFailed:
                continue
            return replace(after, rev=current.rev + 1)
        raise _concurrent()

    def _commit(
        self, before: Review | None, after: Review | None, entry: ModerationEntry | None = None
    ) -> None:
        writes = WriteSet()
        store.add_review_change(writes, before, after)
        if entry is not None:
            store.add_moderation_entry(writes, entry)
        changed = before or after
        assert changed is not None
        deltas = rating_deltas(before, after)
        if any(deltas):
            self._catalog.change_rating(writes, changed.product_id, deltas)
        writes.commit()
        if any(deltas):
            self._catalog.ratings_changed()

    def _schedule(self, order: Order, line: OrderLine, reached_buyer: datetime) -> None:
        assert order.customer_id is not None
        store.put_request_once(
            ReviewRequest(
                order_id=order.id,
                line_id=line.id,
                product_id=line.product_id,
                customer_id=order.customer_id,
                title=line.title,
                due_at=reached_buyer + self._request_after,
                state=RequestState.PENDING,
            )
        )

    def _cancel_requests(self, order_id: str) -> None:
        for request in store.order_requests(order_id):
            if request.state is RequestState.PENDING:
                self._settle(request, RequestState.CANCELLED)

    def _unverify(self, order_id: str) -> None:
        for review_id in store.order_review_ids(order_id):
            current = store.get_review(review_id)
            if current is None or not current.verified:
                continue  # a redelivered refund changes nothing
            try:
                self._change(review_id, lambda r: replace(r, verified=False))
            except Rejected:
                continue

    def _settle(self, request: ReviewRequest, state: RequestState) -> bool:
        writes = WriteSet()
        store.add_request_settled(writes, request, state)
        try:
            writes.commit()
        except ConditionsFailed:
            return False
        return True

    def _send(self, request: ReviewRequest, now: datetime) -> RequestState | None:
        order = self._orders.order(request.order_id)
        if order is None or _refunded(order) or order.status not in _STANDING:
            return RequestState.CANCELLED if self._settle(request, RequestState.CANCELLED) else None
        customer = self._customers.customer(request.customer_id)
        consent = None if customer is None else customer.consent(ConsentChannel.EMAIL)
        if customer is None or consent is None or not consent.granted:
            settled = self._settle(request, RequestState.NO_CONSENT)
            return RequestState.NO_CONSENT if settled else None
        if store.claimed_review_id(request.customer_id, request.product_id) is not None:
            # Reviewed already (from the product page): asking again would only nag.
            settled = self._settle(request, RequestState.CANCELLED)
            return RequestState.CANCELLED if settled else None
        notification = Notification(
            id=f"review-request-{request.order_id}-{request.line_id}",
            channel=Channel.EMAIL,
            template=TemplateName.REVIEW_REQUEST,
            recipient=customer.email,
            data={
                "title": request.title,
                "review_url": (
                    f"{self._storefront}/reviews/new?order={request.order_id}"
                    f"&line={request.line_id}"
                ),
            },
            created_at=now,
        )
        writes = WriteSet()
        store.add_request_settled(writes, request, RequestState.SENT)
        add_to_outbox(writes, notification, label="outbox")
        try:
            writes.commit()
        except ConditionsFailed:
            return None
        return RequestState.SENT


# Orders that still stand: paid, maybe shipped, and (checked apart) nothing refunded.
_STANDING = frozenset({OrderStatus.PAID, OrderStatus.FULFILLED})


def _refunded(order: Order) -> bool:
    """Any refund, in part or in full: a fulfilled order partly refunded stays FULFILLED,
    so the amount tells, not the state."""
    return order.refunded_amount is not None and order.refunded_amount.amount > 0


def _already_reviewed() -> Problem:
    return Problem(Code.ALREADY_REVIEWED, "You have reviewed this product already", ("productId",))


def _concurrent() -> Rejected:
    return Rejected(
        [Problem(Code.CONCURRENT_UPDATE, "Changed by someone else meanwhile; try again", ())]
    )
