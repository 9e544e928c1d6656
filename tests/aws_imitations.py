"""SES and SNS imitated by moto (only the call shape matters there); DynamoDB stays Local."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

REGION = "us-east-1"
SENDER = "shop@example.com"


class Outbox:
    """What moto's SES and SNS received."""

    def emails(self) -> list[Any]:
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def texts(self) -> list[tuple[str, str]]:
        """(phone number, message) of every SMS published."""
        from moto.sns.models import sns_backends

        return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


@contextmanager
def imitated_ses_and_sns() -> Iterator[Outbox]:
    """SES (with the shop's sender verified) and SNS, imitated inside the block."""
    # Moto answers only requests to AWS hostnames, so DynamoDB Local is untouched; its fake
    # credentials must stay too, since DynamoDB Local keeps one database per access key.
    with mock_aws(config={"core": {"mock_credentials": False}}):
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
        yield Outbox()
