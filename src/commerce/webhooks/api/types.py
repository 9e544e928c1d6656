"""Webhook endpoints and deliveries in GraphQL. A secret appears only in the payloads of
webhookEndpointCreate and webhookEndpointSecretRotate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import Forbidden, Unauthenticated
from commerce.graphql.ids import to_global_id
from commerce.graphql.relay import Connection
from commerce.graphql.user_errors import UserError
from commerce.principals import PrincipalKind
from commerce.webhooks import model
from commerce.webhooks.errors import WebhookErrorCode as DomainWebhookErrorCode

ENDPOINT_TYPE = "WebhookEndpoint"
DELIVERY_TYPE = "WebhookDelivery"

WebhookEventType = strawberry.enum(
    model.EventType,
    name="WebhookEventType",
    description=(
        "An event an endpoint can subscribe to; the payload's `type` is its dotted name "
        "(ORDER_PAID is order.paid). Partners receive only events about their own data."
    ),
)
WebhookErrorCode = strawberry.enum(
    DomainWebhookErrorCode,
    name="WebhookErrorCode",
    description="Why a webhook change was refused.",
)
WebhookDeliveryStatus = strawberry.enum(
    model.DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: being tried (see nextAttemptAt); SUCCEEDED: a 2xx came back; "
    "FAILED: given up (after three days, or when the endpoint was disabled).",
)
WebhookDisabledReason = strawberry.enum(
    model.DisabledReason,
    name="WebhookDisabledReason",
    description="BY_OWNER: switched off on purpose; FAILING: too many failed deliveries.",
)


class IsStaffOrPartner(BasePermission):
    """Staff (admin scope) manage every endpoint; a partner's key manages its own."""

    message = "Staff or partner access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal.kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated("Send an admin or a partner API key in X-API-Key")
        if not principal.is_admin and principal.kind is not PrincipalKind.PARTNER:
            raise Forbidden("Only staff and partners' keys can use webhooks")
        return True


STAFF_OR_PARTNER: list[type[BasePermission]] = [IsStaffOrPartner]


def caller_of(info: Info[Context, None]) -> model.Caller:
    """The caller as the service sees it (the permission admitted staff or a partner)."""
    principal = info.context.principal
    return model.Caller(staff=principal.is_admin, partner_id=principal.partner_id)


@strawberry.type(description="Why a webhook change was refused.")
class WebhookUserError(UserError):
    code: WebhookErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="Where an owner wants events POSTed, signed (Standard Webhooks).")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="The endpoint's global id.")
    url: str = strawberry.field(description="Where events are POSTed.")
    event_types: list[WebhookEventType] = strawberry.field(description="The events it receives.")
    description: str = strawberry.field(description="What it is for.")
    contact_email: str | None = strawberry.field(
        description="Told when the endpoint is disabled; a partner's own email when null."
    )
    enabled: bool = strawberry.field(description="Whether events are sent to it.")
    disabled_reason: WebhookDisabledReason | None = strawberry.field(
        description="Why it is disabled; null while enabled."
    )
    consecutive_failures: int = strawberry.field(
        description="Failed attempts since the last success."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        description="The partner that owns it; null for a staff endpoint."
    )
    created_at: datetime = strawberry.field(description="When it was made.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_domain(cls, endpoint: model.Endpoint) -> WebhookEndpoint:
        partner = endpoint.owner.partner_id
        return cls(
            id=strawberry.ID(to_global_id(ENDPOINT_TYPE, endpoint.id)),
            url=endpoint.url,
            event_types=sorted(endpoint.event_types, key=str),
            description=endpoint.description,
            contact_email=endpoint.contact_email,
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            consecutive_failures=endpoint.consecutive_failures,
            partner_id=None if partner is None else strawberry.ID(to_global_id("Partner", partner)),
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


@strawberry.type(description="One POST of a delivery and its answer.")
class WebhookAttempt:
    at: datetime = strawberry.field(description="When it was sent.")
    status_code: int | None = strawberry.field(
        description="The HTTP status the receiver answered; null when none came back."
    )
    duration_ms: int = strawberry.field(description="How long the request took.")
    error: str | None = strawberry.field(
        description="Why there was no answer (timeout, TLS, a refused address)."
    )

    @classmethod
    def from_domain(cls, attempt: model.Attempt) -> WebhookAttempt:
        return cls(
            at=attempt.at,
            status_code=attempt.status_code,
            duration_ms=attempt.duration_ms,
            error=attempt.error,
        )


@strawberry.type(description="One event sent to one endpoint, with every attempt (newest last).")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The delivery's global id.")
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint it goes to.")
    event_type: str = strawberry.field(description="The payload's type (order.paid, ping...).")
    event_id: str = strawberry.field(description="The event's id: one delivery per endpoint.")
    message_id: str = strawberry.field(
        description="The webhook-id header: the same on retries and replays, to drop repeats."
    )
    payload: str = strawberry.field(description="The JSON body sent.")
    status: WebhookDeliveryStatus = strawberry.field(description="Where the delivery is.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Its attempts, oldest first.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried again; null unless PENDING after a failure."
    )
    replay_of: strawberry.ID | None = strawberry.field(
        description="The delivery this one replays, if it is a replay."
    )
    created_at: datetime = strawberry.field(description="When it was written to the outbox.")

    @classmethod
    def from_domain(cls, delivery: model.Delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id(DELIVERY_TYPE, delivery.id)),
            endpoint_id=strawberry.ID(to_global_id(ENDPOINT_TYPE, delivery.endpoint_id)),
            event_type=delivery.event_type,
            event_id=delivery.event_id,
            message_id=delivery.message_id,
            payload=delivery.payload,
            status=delivery.status,
            attempts=[WebhookAttempt.from_domain(a) for a in delivery.attempts],
            next_attempt_at=delivery.next_attempt_at,
            replay_of=None
            if delivery.replay_of is None
            else strawberry.ID(to_global_id(DELIVERY_TYPE, delivery.replay_of)),
            created_at=delivery.created_at,
        )


# The delivery log, newest first: WebhookDeliveryConnection in the schema.
WebhookDeliveryConnection = Connection[WebhookDelivery]


def delivery_connection(page: model.DeliveryPage) -> WebhookDeliveryConnection:
    cursors = dict(zip((d.id for d in page.deliveries), page.cursors, strict=True))
    return Connection.of(
        page.deliveries,
        WebhookDelivery.from_domain,
        lambda d: cursors[d.id],
        has_next_page=page.has_next_page,
    )


@strawberry.type(description="An endpoint after a change; secret only when one was made.")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    secret: str | None = strawberry.field(
        description=(
            "The signing secret (whsec_...), shown only by create and rotate: keep it, it "
            "cannot be read again."
        )
    )
    user_errors: list[WebhookUserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="The result of deleting an endpoint.")
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The deleted endpoint's id.")
    user_errors: list[WebhookUserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="A delivery written to the outbox (sent within seconds).")
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = strawberry.field(description="The new delivery.")
    user_errors: list[WebhookUserError] = strawberry.field(description="Why it was refused.")
