"""Recording events, visitors and consent; staff's erasure of a customer's journeys."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN, CUSTOMER
from commerce.graphql.use_cases import run_use_case
from commerce.journeys.api.inputs import (
    CustomerJourneyEraseInput,
    EventsRecordInput,
    VisitorConsentSetInput,
    VisitorIdentifyInput,
    VisitorStartInput,
)
from commerce.journeys.api.types import (
    CustomerJourneyErasePayload,
    EventsRecordPayload,
    JourneyErasure,
    JourneyUserError,
    VisitorPayload,
    VisitorType,
    visitor_payload,
)
from commerce.journeys.commands import RequestFacts
from commerce.journeys.errors import JourneyErrorCode as Code
from commerce.journeys.model import Visitor


def request_facts(info: Info[Context, None]) -> RequestFacts:
    """What the request says about the caller: channel, customer, app or browser."""
    ctx = info.context
    return RequestFacts(
        sales_channel=ctx.channel,
        customer_id=ctx.principal.customer_id,
        user_agent=ctx.user_agent,
        app=ctx.app_name,
        address=ctx.client_address,
    )


@strawberry.type
class JourneysMutation:
    @strawberry.mutation(
        description=(
            "Record a batch of 1 to 50 events of one visitor: stored whole or not at all. "
            "Without visitorToken a new visitor is started and its token returned. With a "
            "customer's bearer token the visitor is stitched to the customer."
        )
    )
    async def events_record(
        self, info: Info[Context, None], input: EventsRecordInput
    ) -> EventsRecordPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        journeys, facts = info.context.services.journeys, request_facts(info)
        outcome = await run_use_case(info, errors, command, lambda c: journeys.record(c, facts))
        return EventsRecordPayload.of_recorded(
            outcome.value, JourneyUserError.list_of(outcome.problems)
        )

    @strawberry.mutation(
        description="Start a visitor: a signed token to keep and send with events."
    )
    async def visitor_start(
        self, info: Info[Context, None], input: VisitorStartInput
    ) -> VisitorPayload:
        errors = InputErrors(Code.INVALID_ID)
        journeys = info.context.services.journeys
        outcome = await run_use_case(info, errors, input.to_command(errors), journeys.start)
        return visitor_payload(outcome.value, JourneyUserError.list_of(outcome.problems))

    @strawberry.mutation(
        description=(
            "Give or withdraw the visitor's analytics consent. Withdrawing deletes the "
            "visitor's stored events; where the store requires consent, none are stored "
            "before it is given."
        )
    )
    async def visitor_consent_set(
        self, info: Info[Context, None], input: VisitorConsentSetInput
    ) -> VisitorPayload:
        errors = InputErrors(Code.INVALID_ID)
        command = input.to_command(errors)
        journeys = info.context.services.journeys
        outcome = await run_use_case(info, errors, command, journeys.set_consent)
        return visitor_payload(outcome.value, JourneyUserError.list_of(outcome.problems))

    @strawberry.mutation(
        description=(
            "Stitch the visitor to the signed-in customer (call it after customerSignUp "
            "or customerLogIn): the visitor's journey joins the customer's."
        ),
        permission_classes=CUSTOMER,
    )
    async def visitor_identify(
        self, info: Info[Context, None], input: VisitorIdentifyInput
    ) -> VisitorPayload:
        errors = InputErrors(Code.INVALID_ID)
        journeys = info.context.services.journeys
        customer_id = info.context.principal.customer_id
        assert customer_id is not None  # the permission admits customers only

        def identify(token: str) -> Visitor:
            return journeys.identify(token, customer_id)

        outcome = await run_use_case(info, errors, input.visitor_token, identify)
        visitor = outcome.value
        return VisitorPayload(
            visitor_token=input.visitor_token if visitor is not None else None,
            visitor=None if visitor is None else visitor_payload_type(visitor),
            user_errors=JourneyUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description=(
            "Staff: erase a customer's journey data (every stitched visitor, its events, "
            "and the touches kept with the customer's attributed orders). Orders, the "
            "account and anonymous report totals are untouched."
        ),
        permission_classes=ADMIN,
    )
    async def customer_journey_erase(
        self, info: Info[Context, None], input: CustomerJourneyEraseInput
    ) -> CustomerJourneyErasePayload:
        errors = InputErrors(Code.CUSTOMER_NOT_FOUND)
        customer_id = errors.id(input.customer_id, "Customer", "customerId")
        journeys = info.context.services.journeys
        outcome = await run_use_case(info, errors, customer_id, journeys.erase_customer)
        return CustomerJourneyErasePayload(
            erased=outcome.map(JourneyErasure.from_domain),
            user_errors=JourneyUserError.list_of(outcome.problems),
        )


def visitor_payload_type(visitor: Visitor) -> VisitorType:
    return VisitorType(consent=visitor.consent, stitched=visitor.customer_id is not None)
