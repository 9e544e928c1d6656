"""Staff's settings, apps' device registration, preferences, and opting out by link."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN, CUSTOMER
from commerce.graphql.use_cases import run_use_case
from commerce.recovery.api.inputs import (
    MessagingPreferencesSetInput,
    PushDeviceRegisterInput,
    PushDeviceUnregisterInput,
    RecoveryOptOutInput,
    RecoverySettingsUpdateInput,
)
from commerce.recovery.api.queries import signed_in_customer
from commerce.recovery.api.types import (
    MessagingPreferences,
    MessagingPreferencesPayload,
    PushDevice,
    PushDevicePayload,
    RecoveryOptOutPayload,
    RecoverySettingsType,
    RecoverySettingsUpdatePayload,
    RecoveryUserError,
)
from commerce.recovery.commands import RegisterDevice, SetPreferences
from commerce.recovery.errors import RecoveryErrorCode as Code
from commerce.recovery.model import Device, Preferences


@strawberry.type
class RecoveryMutation:
    @strawberry.mutation(
        description="Staff: change when, how and how much off abandoned carts are followed up.",
        permission_classes=ADMIN,
    )
    async def recovery_settings_update(
        self, info: Info[Context, None], input: RecoverySettingsUpdateInput
    ) -> RecoverySettingsUpdatePayload:
        errors = InputErrors(Code.INVALID_ID)
        recovery = info.context.services.recovery
        outcome = await run_use_case(
            info, errors, input.to_command(errors), recovery.change_settings
        )
        return RecoverySettingsUpdatePayload(
            settings=outcome.map(RecoverySettingsType.from_domain),
            user_errors=RecoveryUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description=(
            "Register this app installation's push token for the signed-in customer, with "
            "whether they allowed push; registering the same token again updates the "
            "permission."
        ),
        permission_classes=CUSTOMER,
    )
    async def push_device_register(
        self, info: Info[Context, None], input: PushDeviceRegisterInput
    ) -> PushDevicePayload:
        errors = InputErrors(Code.INVALID_ID)
        recovery, customer_id = info.context.services.recovery, signed_in_customer(info)

        def register(command: RegisterDevice) -> Device:
            return recovery.register_device(customer_id, command)

        outcome = await run_use_case(info, errors, input.to_command(errors), register)
        return PushDevicePayload(
            device=outcome.map(PushDevice.from_domain),
            user_errors=RecoveryUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description="Forget one of the signed-in customer's devices (log-out, uninstall).",
        permission_classes=CUSTOMER,
    )
    async def push_device_unregister(
        self, info: Info[Context, None], input: PushDeviceUnregisterInput
    ) -> PushDevicePayload:
        errors = InputErrors(Code.INVALID_ID)
        recovery, customer_id = info.context.services.recovery, signed_in_customer(info)

        def unregister(device_id: str) -> Device:
            return recovery.unregister_device(customer_id, device_id)

        outcome = await run_use_case(info, errors, str(input.device_id), unregister)
        return PushDevicePayload(
            device=outcome.map(PushDevice.from_domain),
            user_errors=RecoveryUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description="Set the signed-in customer's preferred channel and time zone.",
        permission_classes=CUSTOMER,
    )
    async def messaging_preferences_set(
        self, info: Info[Context, None], input: MessagingPreferencesSetInput
    ) -> MessagingPreferencesPayload:
        errors = InputErrors(Code.INVALID_ID)
        recovery, customer_id = info.context.services.recovery, signed_in_customer(info)

        def save(command: SetPreferences) -> Preferences:
            return recovery.set_preferences(customer_id, command)

        outcome = await run_use_case(info, errors, input.to_command(errors), save)
        return MessagingPreferencesPayload(
            preferences=outcome.map(MessagingPreferences.from_domain),
            user_errors=RecoveryUserError.list_of(outcome.problems),
        )

    @strawberry.mutation(
        description=(
            "Stop recovery messages on one channel with the token of a message's opt-out "
            "link: no log-in needed, the link's signature is the proof."
        )
    )
    async def recovery_opt_out(
        self, info: Info[Context, None], input: RecoveryOptOutInput
    ) -> RecoveryOptOutPayload:
        errors = InputErrors(Code.INVALID_ID)
        recovery = info.context.services.recovery
        outcome = await run_use_case(info, errors, input.token, recovery.opt_out)
        return RecoveryOptOutPayload.of(outcome.value, RecoveryUserError.list_of(outcome.problems))
