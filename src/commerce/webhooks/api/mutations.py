"""Managing webhook endpoints: staff any, a partner its own; replays and test pings."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id
from commerce.graphql.inputs import InputErrors
from commerce.graphql.use_cases import Outcome, run_use_case
from commerce.webhooks.api.inputs import (
    WebhookDeliveryReplayInput,
    WebhookEndpointCreateInput,
    WebhookEndpointIdInput,
    WebhookEndpointUpdateInput,
)
from commerce.webhooks.api.types import (
    ENDPOINT_TYPE,
    STAFF_OR_PARTNER,
    WebhookDelivery,
    WebhookDeliveryPayload,
    WebhookEndpoint,
    WebhookEndpointDeletePayload,
    WebhookEndpointPayload,
    WebhookUserError,
    caller_of,
)
from commerce.webhooks.errors import WebhookErrorCode as Code
from commerce.webhooks.model import Delivery, Endpoint
from commerce.webhooks.service import CreatedEndpoint


def _endpoint_payload(outcome: Outcome[Endpoint]) -> WebhookEndpointPayload:
    return WebhookEndpointPayload(
        endpoint=outcome.map(WebhookEndpoint.from_domain),
        secret=None,
        user_errors=WebhookUserError.list_of(outcome.problems),
    )


def _created_payload(outcome: Outcome[CreatedEndpoint]) -> WebhookEndpointPayload:
    return WebhookEndpointPayload(
        endpoint=outcome.map(lambda c: WebhookEndpoint.from_domain(c.endpoint)),
        secret=outcome.map(lambda c: c.secret),
        user_errors=WebhookUserError.list_of(outcome.problems),
    )


def _delivery_payload(outcome: Outcome[Delivery]) -> WebhookDeliveryPayload:
    return WebhookDeliveryPayload(
        delivery=outcome.map(WebhookDelivery.from_domain),
        user_errors=WebhookUserError.list_of(outcome.problems),
    )


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation(
        description=(
            "Register an endpoint for some event types. Its signing secret is in this "
            "payload only: deliveries carry webhook-id, webhook-timestamp and "
            "webhook-signature (Standard Webhooks, HMAC-SHA256)."
        ),
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_endpoint_create(
        self, info: Info[Context, None], input: WebhookEndpointCreateInput
    ) -> WebhookEndpointPayload:
        errors = InputErrors(Code.INVALID_ID)
        webhooks, caller = info.context.services.webhooks, caller_of(info)
        command = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, command, lambda c: webhooks.create_endpoint(c, caller)
        )
        return _created_payload(outcome)

    @strawberry.mutation(
        description="Change an endpoint's URL, events, description or contact; enable or "
        "disable it.",
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_endpoint_update(
        self, info: Info[Context, None], input: WebhookEndpointUpdateInput
    ) -> WebhookEndpointPayload:
        errors = InputErrors(Code.INVALID_ID)
        webhooks, caller = info.context.services.webhooks, caller_of(info)
        command = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, command, lambda c: webhooks.update_endpoint(c, caller)
        )
        return _endpoint_payload(outcome)

    @strawberry.mutation(
        description="A new signing secret (in this payload only); the old one keeps "
        "signing beside it for 24 hours.",
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_endpoint_secret_rotate(
        self, info: Info[Context, None], input: WebhookEndpointIdInput
    ) -> WebhookEndpointPayload:
        errors = InputErrors(Code.INVALID_ID)
        webhooks, caller = info.context.services.webhooks, caller_of(info)
        command = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, command, lambda c: webhooks.rotate_secret(c, caller)
        )
        return _created_payload(outcome)

    @strawberry.mutation(
        description="Delete an endpoint; nothing more is sent to it.",
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_endpoint_delete(
        self, info: Info[Context, None], input: WebhookEndpointIdInput
    ) -> WebhookEndpointDeletePayload:
        errors = InputErrors(Code.INVALID_ID)
        webhooks, caller = info.context.services.webhooks, caller_of(info)
        command = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, command, lambda c: webhooks.delete_endpoint(c, caller)
        )
        return WebhookEndpointDeletePayload(
            deleted_id=outcome.map(lambda i: strawberry.ID(to_global_id(ENDPOINT_TYPE, i))),
            user_errors=WebhookUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description="Send a ping event to an endpoint, to check it receives and verifies.",
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_endpoint_test(
        self, info: Info[Context, None], input: WebhookEndpointIdInput
    ) -> WebhookDeliveryPayload:
        errors = InputErrors(Code.INVALID_ID)
        webhooks, caller = info.context.services.webhooks, caller_of(info)
        command = input.to_command(errors)
        outcome = await run_use_case(
            info, errors, command, lambda c: webhooks.test_endpoint(c, caller)
        )
        return _delivery_payload(outcome)

    @strawberry.mutation(
        description="Send a delivery's event again (same payload and webhook-id), as a new "
        "delivery in the log. The endpoint must be enabled.",
        permission_classes=STAFF_OR_PARTNER,
    )
    async def webhook_delivery_replay(
        self, info: Info[Context, None], input: WebhookDeliveryReplayInput
    ) -> WebhookDeliveryPayload:
        errors = InputErrors(Code.INVALID_ID)
        webhooks, caller = info.context.services.webhooks, caller_of(info)
        command = input.to_command(errors)
        outcome = await run_use_case(info, errors, command, lambda c: webhooks.replay(c, caller))
        return _delivery_payload(outcome)
