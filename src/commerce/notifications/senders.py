"""Sending rendered messages: SES for email, SNS for text messages.

boto3 is imported on first send, not at import: only the events function sends, and the
API function enqueues without ever loading these clients.
"""

from __future__ import annotations

from typing import Any, Protocol

from commerce.notifications.model import Channel, Message


class SendFailed(Exception):
    """The provider refused or could not take the message; the send may be retried."""


class Sender(Protocol):
    """Delivers one message to one recipient; returns the provider's message id."""

    def send(self, channel: Channel, recipient: str, message: Message) -> str: ...


class AwsSender:
    """SES ``SendEmail`` and SNS ``Publish`` (SMS) through boto3 clients made once."""

    def __init__(self, region: str, email_from: str, sms_sender_id: str | None = None) -> None:
        self._region = region
        self._email_from = email_from
        self._sms_sender_id = sms_sender_id
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3

            self._clients[service] = boto3.client(service, region_name=self._region)
        return self._clients[service]

    def send(self, channel: Channel, recipient: str, message: Message) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if channel is Channel.EMAIL:
                return self._send_email(recipient, message)
            if channel is Channel.PUSH:
                return self._send_push(recipient, message)
            return self._send_sms(recipient, message)
        except (BotoCoreError, ClientError) as exc:
            raise SendFailed(f"{channel.value} to the provider failed: {exc}") from None

    def _send_email(self, recipient: str, message: Message) -> str:
        answer = self._client("ses").send_email(
            Source=self._email_from,
            Destination={"ToAddresses": [recipient]},
            Message={
                "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message.body, "Charset": "UTF-8"}},
            },
        )
        return str(answer["MessageId"])

    def _send_push(self, endpoint_arn: str, message: Message) -> str:
        # One body for both platforms: SNS hands ``default`` to APNs and FCM alike.
        answer = self._client("sns").publish(TargetArn=endpoint_arn, Message=message.body)
        return str(answer["MessageId"])

    def _send_sms(self, recipient: str, message: Message) -> str:
        # Transactional: delivered ahead of promotional traffic, even to opted-out numbers
        # for what the customer asked for (a reset code, an order confirmation); marketing
        # goes as Promotional, which SNS withholds from numbers that opted out.
        kind = "Promotional" if message.marketing else "Transactional"
        attributes = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": kind},
        }
        if self._sms_sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self._sms_sender_id,
            }
        answer = self._client("sns").publish(
            PhoneNumber=recipient, Message=message.body, MessageAttributes=attributes
        )
        return str(answer["MessageId"])
