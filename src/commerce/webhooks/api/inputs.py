"""Webhook mutation inputs, decoded into the service's commands."""

from __future__ import annotations

import strawberry

from commerce.graphql.inputs import InputErrors
from commerce.webhooks.api.types import DELIVERY_TYPE, ENDPOINT_TYPE, WebhookEventType
from commerce.webhooks.commands import CreateEndpoint, UpdateEndpoint


@strawberry.input(description="A new endpoint.")
class WebhookEndpointCreateInput:
    url: str = strawberry.field(
        description="Where to POST: https, on a public address (http://127.0.0.1 locally)."
    )
    event_types: list[WebhookEventType] = strawberry.field(description="What it receives.")
    description: str = strawberry.field(default="", description="What it is for.")
    contact_email: str | None = strawberry.field(
        default=None,
        description="Whom to tell if it is disabled (required for staff endpoints; a "
        "partner's own email when left out).",
    )

    def to_command(self, errors: InputErrors) -> CreateEndpoint:
        return CreateEndpoint(
            url=self.url,
            event_types=frozenset(self.event_types),
            description=self.description,
            contact_email=self.contact_email,
        )


@strawberry.input(description="Changes to an endpoint; fields left out stay as they are.")
class WebhookEndpointUpdateInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    event_types: list[WebhookEventType] | None = strawberry.field(
        default=None, description="The new set of events."
    )
    description: str | None = strawberry.field(default=None, description="A new description.")
    contact_email: str | None = strawberry.field(default=None, description="A new contact.")
    enabled: bool | None = strawberry.field(
        default=None,
        description="false stops deliveries; true starts them again (clearing the failures).",
    )

    def to_command(self, errors: InputErrors) -> UpdateEndpoint | None:
        local = errors.id(self.id, ENDPOINT_TYPE, "id")
        if local is None:
            return None
        return UpdateEndpoint(
            endpoint_id=local,
            url=self.url,
            event_types=None if self.event_types is None else frozenset(self.event_types),
            description=self.description,
            contact_email=self.contact_email,
            enabled=self.enabled,
        )


@strawberry.input(description="One endpoint, by id.")
class WebhookEndpointIdInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")

    def to_command(self, errors: InputErrors) -> str | None:
        return errors.id(self.id, ENDPOINT_TYPE, "id")


@strawberry.input(description="The delivery to send again.")
class WebhookDeliveryReplayInput:
    delivery_id: strawberry.ID = strawberry.field(description="A delivery of your endpoint.")

    def to_command(self, errors: InputErrors) -> str | None:
        return errors.id(self.delivery_id, DELIVERY_TYPE, "deliveryId")
