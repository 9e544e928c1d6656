"""Journey types as clients see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from commerce.graphql.channels import SalesChannel
from commerce.graphql.ids import to_global_id
from commerce.graphql.user_errors import UserError
from commerce.journeys.api.enums import EventKindType, JourneyErrorCodeType
from commerce.journeys.model import Recorded
from commerce.journeys.service import Erased, VisitorJourney


@strawberry.type(description="Why a journey input was refused.")
class JourneyUserError(UserError):
    code: JourneyErrorCodeType = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="A first-party visitor: one browser or app install.")
class VisitorType:
    consent: bool | None = strawberry.field(
        description="Analytics consent: true given, false withdrawn, null never asked."
    )
    stitched: bool = strawberry.field(
        description="Whether the visitor has been found to be a signed-in customer."
    )


@strawberry.type(description="A visitor token and its visitor, or why not.")
class VisitorPayload:
    visitor_token: str | None = strawberry.field(
        description=(
            "Keep it for as long as the shopper keeps the browser or the app (a first-party "
            "cookie, the app's keychain) and send it with every event."
        )
    )
    visitor: VisitorType | None = strawberry.field(description="The visitor.")
    user_errors: list[JourneyUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="What a batch of events did.")
class EventsRecordPayload:
    visitor_token: str | None = strawberry.field(
        description="The visitor's token: a new one when the batch came without one."
    )
    stored: int = strawberry.field(description="Events stored now.")
    duplicates: int = strawberry.field(
        description="Events already stored under the same eventId (counted once)."
    )
    user_errors: list[JourneyUserError] = strawberry.field(
        description="Why the batch was refused; then nothing of it was stored."
    )

    @classmethod
    def of_recorded(
        cls, recorded: Recorded | None, errors: list[JourneyUserError]
    ) -> EventsRecordPayload:
        if recorded is None:
            return cls(visitor_token=None, stored=0, duplicates=0, user_errors=errors)
        return cls(
            visitor_token=recorded.visitor_token,
            stored=recorded.stored,
            duplicates=recorded.duplicates,
            user_errors=errors,
        )


def visitor_payload(recorded: Recorded | None, errors: list[JourneyUserError]) -> VisitorPayload:
    if recorded is None:
        return VisitorPayload(visitor_token=None, visitor=None, user_errors=errors)
    return VisitorPayload(
        visitor_token=recorded.visitor_token,
        visitor=VisitorType(
            consent=recorded.visitor.consent, stitched=recorded.visitor.customer_id is not None
        ),
        user_errors=errors,
    )


@strawberry.type(description="What an erasure deleted.")
class JourneyErasure:
    visitors: int = strawberry.field(description="Visitor profiles deleted.")
    events: int = strawberry.field(description="Stored events deleted.")
    journeys: int = strawberry.field(
        description="Attributed order journeys deleted (their touches; report totals stay)."
    )

    @classmethod
    def from_domain(cls, erased: Erased) -> JourneyErasure:
        return cls(visitors=erased.visitors, events=erased.events, journeys=erased.journeys)


@strawberry.type(description="The result of an erasure.")
class CustomerJourneyErasePayload:
    erased: JourneyErasure | None = strawberry.field(description="What was deleted.")
    user_errors: list[JourneyUserError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="One stored event of a journey.")
class JourneyEvent:
    event_id: str = strawberry.field(description="The client's event id.")
    kind: EventKindType = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When, by the client's clock.")
    sales_channel: SalesChannel = strawberry.field(description="WEB, MOBILE or PARTNER_API.")
    app: str | None = strawberry.field(description="The app or browser family.")
    product_id: strawberry.ID | None = strawberry.field(description="The Product, if any.")
    marketing_channel: str | None = strawberry.field(
        description="For a touch (an event with touch context): its marketing channel."
    )
    utm_source: str | None = strawberry.field(description="The touch's utm_source.")
    utm_medium: str | None = strawberry.field(description="The touch's utm_medium.")
    utm_campaign: str | None = strawberry.field(description="The touch's utm_campaign.")
    referrer_host: str | None = strawberry.field(description="The touch's referrer host.")


@strawberry.type(description="Seconds a shopper spent on one product.")
class ProductDwell:
    product_id: strawberry.ID = strawberry.field(description="The Product.")
    seconds: int = strawberry.field(description="Seconds of attention (gaps capped at 60 s).")


@strawberry.type(description="One visit (split after 30 minutes of silence) and its dwell.")
class VisitDwell:
    started_at: datetime = strawberry.field(description="The visit's first event.")
    seconds: int = strawberry.field(description="Seconds on products in the visit.")
    products: list[ProductDwell] = strawberry.field(description="Per product, longest first.")


@strawberry.type(description="A customer's journey: every stitched visitor's events.")
class CustomerJourney:
    visitors: int = strawberry.field(description="Visitors stitched to the customer.")
    events: list[JourneyEvent] = strawberry.field(description="Oldest first.")
    dwell: list[ProductDwell] = strawberry.field(description="Per product, longest first.")
    visits: list[VisitDwell] = strawberry.field(description="Each visit's dwell.")

    @classmethod
    def from_domain(cls, journey: VisitorJourney) -> CustomerJourney:
        def product(pid: str, seconds: int) -> ProductDwell:
            return ProductDwell(
                product_id=strawberry.ID(to_global_id("Product", pid)), seconds=seconds
            )

        return cls(
            visitors=len(journey.visitor_ids),
            events=[
                JourneyEvent(
                    event_id=e.event_id,
                    kind=e.kind,
                    occurred_at=e.at,
                    sales_channel=e.sales_channel,
                    app=e.app,
                    product_id=strawberry.ID(to_global_id("Product", e.product_id))
                    if e.product_id
                    else None,
                    marketing_channel=e.marketing_channel,
                    utm_source=e.touch.utm_source if e.touch else None,
                    utm_medium=e.touch.utm_medium if e.touch else None,
                    utm_campaign=e.touch.utm_campaign if e.touch else None,
                    referrer_host=e.touch.referrer_host if e.touch else None,
                )
                for e in journey.events
            ],
            dwell=[product(p, s) for p, s in journey.dwell.by_product],
            visits=[
                VisitDwell(
                    started_at=v.started_at,
                    seconds=v.seconds,
                    products=[product(p, s) for p, s in v.by_product],
                )
                for v in journey.dwell.visits
            ],
        )
