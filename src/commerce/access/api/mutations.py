"""Staff changes to partners and API keys. Every mutation needs the admin scope."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.access import model
from commerce.access.api.types import AccessUserError, ApiKey, ApiKeyScope, Partner
from commerce.access.commands import CreateApiKey, CreatePartner, RevokeApiKey
from commerce.access.errors import AccessErrorCode as Code
from commerce.access.service import CreatedKey
from commerce.graphql.channels import SalesChannel
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.inputs import InputErrors
from commerce.graphql.permissions import ADMIN
from commerce.graphql.use_cases import Outcome, run_use_case


@strawberry.input(description="A new affiliate partner.")
class PartnerCreateInput:
    name: str = strawberry.field(description="The partner's name.")
    email: str = strawberry.field(description="Where to reach the partner.")

    def to_command(self, errors: InputErrors) -> CreatePartner:
        return CreatePartner(self.name, self.email)


@strawberry.type(description="The result of creating a partner.")
class PartnerCreatePayload:
    partner: Partner | None = strawberry.field(description="The partner, when it worked.")
    user_errors: list[AccessUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.Partner]) -> PartnerCreatePayload:
        return cls(
            partner=outcome.map(Partner.from_domain),
            user_errors=AccessUserError.list_of(outcome.problems),
        )


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="What the key is for (1 to 100 characters).")
    scopes: list[ApiKeyScope] = strawberry.field(description="What the key may do.")
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Issue the key to this partner (never with ADMIN)."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the key stops working; never when left out."
    )
    channel: SalesChannel | None = strawberry.field(
        default=None,
        description=(
            "The sales channel its callers are priced for (promotions may be limited to "
            "one): MOBILE for the apps' storefront key. A partner's key is always "
            "PARTNER_API, and no other key may be. Default: PARTNER_API for a partner's "
            "key, WEB otherwise."
        ),
    )

    def to_command(self, errors: InputErrors) -> CreateApiKey | None:
        partner_id = None
        if self.partner_id is not None:
            partner_id = local_id_or_none(self.partner_id, "Partner")
            if partner_id is None:
                # An id of no partner at all is answered as an unknown partner.
                errors.add(Code.PARTNER_NOT_FOUND, "No such partner", "partnerId")
                return None
        return CreateApiKey(
            self.name, frozenset(self.scopes), partner_id, self.expires_at, self.channel
        )


@strawberry.type(description="The result of creating a key: the only time its secret is shown.")
class ApiKeyCreatePayload:
    api_key: ApiKey | None = strawberry.field(description="The key, when it worked.")
    secret: str | None = strawberry.field(
        description="The whole key (ck_...): shown this once, stored only as a hash."
    )
    user_errors: list[AccessUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[CreatedKey]) -> ApiKeyCreatePayload:
        return cls(
            api_key=outcome.map(lambda created: ApiKey.from_domain(created.key)),
            secret=outcome.map(lambda created: created.plaintext),
            user_errors=AccessUserError.list_of(outcome.problems),
        )


@strawberry.input(description="A key to revoke.")
class ApiKeyRevokeInput:
    prefix: str = strawberry.field(description="The key's prefix.")

    def to_command(self, errors: InputErrors) -> RevokeApiKey:
        return RevokeApiKey(self.prefix.strip())


@strawberry.type(description="The result of revoking a key; it stops working at once.")
class ApiKeyRevokePayload:
    api_key: ApiKey | None = strawberry.field(description="The revoked key.")
    user_errors: list[AccessUserError] = strawberry.field(description="Why it did not.")

    @classmethod
    def of(cls, outcome: Outcome[model.ApiKey]) -> ApiKeyRevokePayload:
        return cls(
            api_key=outcome.map(ApiKey.from_domain),
            user_errors=AccessUserError.list_of(outcome.problems),
        )


@strawberry.type
class AccessMutation:
    @strawberry.mutation(
        description="Open a partner (affiliate) account.", permission_classes=ADMIN
    )
    async def partner_create(
        self, info: Info[Context, None], input: PartnerCreateInput
    ) -> PartnerCreatePayload:
        errors = InputErrors(Code.INVALID)
        command = input.to_command(errors)
        access = info.context.services.access
        return PartnerCreatePayload.of(
            await run_use_case(info, errors, command, access.open_partner)
        )

    @strawberry.mutation(
        description="Make an API key, for staff or for a partner; the secret is shown once.",
        permission_classes=ADMIN,
    )
    async def api_key_create(
        self, info: Info[Context, None], input: ApiKeyCreateInput
    ) -> ApiKeyCreatePayload:
        errors = InputErrors(Code.PARTNER_NOT_FOUND)
        command = input.to_command(errors)
        access = info.context.services.access
        return ApiKeyCreatePayload.of(await run_use_case(info, errors, command, access.issue_key))

    @strawberry.mutation(
        description="Revoke a key: it stops working at once.", permission_classes=ADMIN
    )
    async def api_key_revoke(
        self, info: Info[Context, None], input: ApiKeyRevokeInput
    ) -> ApiKeyRevokePayload:
        errors = InputErrors(Code.KEY_NOT_FOUND)
        command = input.to_command(errors)
        access = info.context.services.access
        return ApiKeyRevokePayload.of(await run_use_case(info, errors, command, access.revoke))
