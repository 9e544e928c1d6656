"""What an owner asks of its endpoints, checked before anything is read or written."""

from __future__ import annotations

from dataclasses import dataclass

from commerce.contact import is_email
from commerce.problems import Problem
from commerce.webhooks.errors import WebhookErrorCode as Code
from commerce.webhooks.model import MAX_DESCRIPTION_LENGTH, EventType


@dataclass(frozen=True, slots=True)
class CreateEndpoint:
    """A new endpoint: where to POST, which events, and whom to tell if it fails."""

    url: str
    event_types: frozenset[EventType]
    description: str = ""
    contact_email: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateEndpoint:
    """Changes to an endpoint; None leaves a field as it is."""

    endpoint_id: str
    url: str | None = None
    event_types: frozenset[EventType] | None = None
    description: str | None = None
    contact_email: str | None = None
    enabled: bool | None = None


def field_problems(
    event_types: frozenset[EventType] | None, description: str | None, contact: str | None
) -> list[Problem]:
    """The checks that need no storage and no DNS."""
    problems: list[Problem] = []
    if event_types is not None and not event_types:
        problems.append(
            Problem(Code.NO_EVENT_TYPES, "Subscribe to at least one event type", ("eventTypes",))
        )
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        problems.append(
            Problem(
                Code.DESCRIPTION_TOO_LONG,
                f"A description has at most {MAX_DESCRIPTION_LENGTH} characters",
                ("description",),
            )
        )
    if contact is not None and not is_email(contact):
        problems.append(Problem(Code.INVALID_CONTACT, "Not an email address", ("contactEmail",)))
    return problems
