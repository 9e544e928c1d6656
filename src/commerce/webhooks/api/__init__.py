"""Webhooks in GraphQL: endpoints, their delivery logs, replays and test pings."""

from commerce.webhooks.api.mutations import WebhooksMutation
from commerce.webhooks.api.queries import WebhooksQuery

__all__ = ["WebhooksMutation", "WebhooksQuery"]
