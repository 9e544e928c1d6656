"""A notification as the outbox holds it: who gets which message, through which channel.

Pure: no boto3, no PynamoDB. ``data`` holds only strings so that a notification is
rendered the same way wherever it is read back from (DynamoDB, a stream image).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from commerce.ids import new_id


class Channel(enum.StrEnum):
    """How a notification reaches its recipient."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    # A mobile push message; the recipient is the device's SNS platform endpoint ARN.
    PUSH = "PUSH"


class TemplateName(enum.StrEnum):
    """The messages the shop sends; each has a plain-text template in ``templates.py``."""

    PASSWORD_RESET = "password-reset"  # noqa: S105  (a template name, not a password)
    ORDER_CONFIRMATION = "order-confirmation"
    ABANDONED_CART = "abandoned-cart"
    # The abandoned-cart message with a personal code on the items the shopper lingered over.
    RECOVERY_OFFER = "recovery-offer"
    DOWNLOAD_READY = "download-ready"
    WEBHOOK_ENDPOINT_DISABLED = "webhook-endpoint-disabled"
    REVIEW_REQUEST = "review-request"


class InvalidNotification(ValueError):
    """A notification that could never be delivered (empty recipient, non-string data)."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to send, once."""

    id: str
    channel: Channel
    template: TemplateName
    recipient: str
    data: Mapping[str, str]
    created_at: datetime

    def __post_init__(self) -> None:
        if not self.recipient.strip():
            raise InvalidNotification("a notification needs a recipient")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.data.items()):
            raise InvalidNotification("notification data maps strings to strings")
        if self.created_at.tzinfo is None:
            raise InvalidNotification("created_at must be timezone-aware")
        # A read-only copy: the caller's dict may change after the notification is made.
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))

    @classmethod
    def new(
        cls,
        channel: Channel,
        template: TemplateName,
        recipient: str,
        data: Mapping[str, str],
        now: datetime,
    ) -> Notification:
        """A notification with a fresh, time-ordered id."""
        return cls(
            id=new_id(int(now.timestamp() * 1000)),
            channel=channel,
            template=template,
            recipient=recipient.strip(),
            data=data,
            created_at=now,
        )


@dataclass(frozen=True, slots=True)
class Message:
    """A rendered notification: the subject is used by email only."""

    subject: str
    body: str
    # Marketing (a recovery message), not something the recipient asked for: texts go as
    # SNS "Promotional", which carriers and SNS withhold from opted-out numbers.
    marketing: bool = False
