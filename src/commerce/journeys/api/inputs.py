"""The journey's mutation inputs, decoded into the commands the beacon builds too."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors
from commerce.journeys.api.enums import EventKindType, ViewPhaseType
from commerce.journeys.commands import (
    RawEvent,
    RawTouch,
    RecordEvents,
    SetConsent,
    StartVisitor,
    record_events,
)
from commerce.journeys.model import EventKind


def product_id_of(global_id: str) -> str | None:
    """The local id of a Product global id; None for anything else."""
    return local_id_or_none(global_id, "Product")


def partner_id_of(global_id: str) -> str | None:
    """The local id of a Partner global id (the affiliate's link); None for anything else."""
    return local_id_or_none(global_id, "Partner")


@strawberry.input(description="Where the visit came from: send it on the landing hit of a visit.")
class TouchInput:
    utm_source: str | None = strawberry.field(
        default=None, description="utm_source (at most 50 characters; each utm field)."
    )
    utm_medium: str | None = strawberry.field(default=None, description="utm_medium.")
    utm_campaign: str | None = strawberry.field(default=None, description="utm_campaign.")
    utm_term: str | None = strawberry.field(default=None, description="utm_term.")
    utm_content: str | None = strawberry.field(default=None, description="utm_content.")
    gclid: str | None = strawberry.field(default=None, description="Google Ads click id.")
    fbclid: str | None = strawberry.field(default=None, description="Meta click id.")
    msclkid: str | None = strawberry.field(default=None, description="Microsoft Ads click id.")
    ttclid: str | None = strawberry.field(default=None, description="TikTok click id.")
    referrer: str | None = strawberry.field(
        default=None, description="document.referrer; only its host is kept."
    )
    affiliate_id: strawberry.ID | None = strawberry.field(
        default=None, description="The referring affiliate: a Partner id from its link."
    )

    def to_raw(self) -> RawTouch:
        return RawTouch(
            utm_source=self.utm_source,
            utm_medium=self.utm_medium,
            utm_campaign=self.utm_campaign,
            utm_term=self.utm_term,
            utm_content=self.utm_content,
            gclid=self.gclid,
            fbclid=self.fbclid,
            msclkid=self.msclkid,
            ttclid=self.ttclid,
            referrer=self.referrer,
            affiliate_id=self.affiliate_id,
        )


@strawberry.input(description="One storefront event.")
class StorefrontEventInput:
    event_id: str = strawberry.field(
        description=(
            "The client's id of this event (1-64 of A-Z a-z 0-9 _ . : -): resending it counts once."
        )
    )
    kind: EventKindType = strawberry.field(description="What happened.")
    occurred_at: datetime | None = strawberry.field(
        default=None,
        description=(
            "When, by the client's clock (at most 5 minutes ahead, 3 days old); send it "
            "for queued events (beacons, offline apps). Default: when the server gets it."
        ),
    )
    product_id: strawberry.ID | None = strawberry.field(
        default=None, description="The Product (product views and add to cart)."
    )
    phase: ViewPhaseType | None = strawberry.field(default=None, description="Product views only.")
    query: str | None = strawberry.field(
        default=None, description="A search's terms (60 characters)."
    )
    path: str | None = strawberry.field(
        default=None, description="The page's path without its query string (64 characters)."
    )
    quantity: int | None = strawberry.field(default=None, description="Units added to the cart.")
    touch: TouchInput | None = strawberry.field(
        default=None, description="The visit's origin, on its landing hit: makes it a touch."
    )

    def to_raw(self) -> RawEvent:
        return RawEvent(
            event_id=self.event_id,
            kind=EventKind(self.kind).value,
            occurred_at=self.occurred_at,
            product_id=self.product_id,
            phase=self.phase.value if self.phase else None,
            query=self.query,
            path=self.path,
            quantity=self.quantity,
            touch=self.touch.to_raw() if self.touch else None,
        )


@strawberry.input(description="A batch of one visitor's events (1 to 50).")
class EventsRecordInput:
    visitor_token: str | None = strawberry.field(
        default=None, description="The visitor's token; leave out on first contact to get one."
    )
    events: list[StorefrontEventInput] = strawberry.field(description="The events, any order.")

    def to_command(self, errors: InputErrors) -> RecordEvents | None:
        command, problems = record_events(
            self.visitor_token,
            [e.to_raw() for e in self.events],
            datetime.now(UTC),
            product_id_of,
            partner_id_of,
        )
        errors.check(problems)
        return command


@strawberry.input(description="A new visitor.")
class VisitorStartInput:
    consent: bool | None = strawberry.field(
        default=None, description="The shopper's analytics consent, if asked already."
    )

    def to_command(self, errors: InputErrors) -> StartVisitor:
        return StartVisitor(self.consent)


@strawberry.input(description="The visitor's analytics consent.")
class VisitorConsentSetInput:
    visitor_token: str | None = strawberry.field(
        default=None, description="The visitor's token; leave out to start a new visitor."
    )
    analytics: bool = strawberry.field(
        description="true: events may be stored; false: none are, and those stored are deleted."
    )

    def to_command(self, errors: InputErrors) -> SetConsent:
        return SetConsent(self.visitor_token, self.analytics)


@strawberry.input(description="Stitch this visitor to the signed-in customer.")
class VisitorIdentifyInput:
    visitor_token: str = strawberry.field(description="The visitor's token.")


@strawberry.input(description="Erase a customer's journey data.")
class CustomerJourneyEraseInput:
    customer_id: strawberry.ID = strawberry.field(description="The Customer.")
