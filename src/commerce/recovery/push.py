"""Push endpoints: a device token turned into an SNS platform endpoint, and back.

boto3 is imported on first use: the API function loads it only when an app registers.
"""

from __future__ import annotations

from typing import Any, Protocol

from commerce.recovery.model import Platform


class PushUnavailable(Exception):
    """The platform has no SNS application here, or SNS refused the token."""


class PushEndpoints(Protocol):
    """Where apps' device tokens become addresses the push sender can publish to."""

    def create(self, platform: Platform, device_token: str) -> str: ...

    def delete(self, endpoint_arn: str) -> None: ...


class SnsPushEndpoints:
    """``CreatePlatformEndpoint``/``DeleteEndpoint`` on the store's platform applications."""

    def __init__(self, region: str, applications: dict[Platform, str]) -> None:
        self._region = region
        self._applications = applications
        self._client: Any = None

    def _sns(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sns", region_name=self._region)
        return self._client

    def create(self, platform: Platform, device_token: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        application = self._applications.get(platform)
        if not application:
            raise PushUnavailable(f"no push application for {platform.value}")
        try:
            answer = self._sns().create_platform_endpoint(
                PlatformApplicationArn=application, Token=device_token
            )
        except (BotoCoreError, ClientError):
            # The token is the device's secret: never in the message.
            raise PushUnavailable(f"{platform.value} refused the device token") from None
        return str(answer["EndpointArn"])

    def delete(self, endpoint_arn: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._sns().delete_endpoint(EndpointArn=endpoint_arn)
        except (BotoCoreError, ClientError):
            # Gone already, or SNS unreachable: the device is forgotten here either way,
            # and SNS disables endpoints whose tokens the platform rejects.
            return
