"""Staff changes to partners and API keys. Every mutation needs the admin scope."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.access.api.types import AccessUserError, ApiKey, ApiKeyScope, Partner, user_errors
from commerce.access.errors import AccessErrorCode as Code
from commerce.access.service import CreatedKey
from commerce.graphql.context import Context
from commerce.graphql.ids import local_id_or_none
from commerce.graphql.permissions import IsAdmin
from commerce.problems import Problem, Rejected
from commerce.promotions.api.types import SalesChannel

ADMIN: list[type[BasePermission]] = [IsAdmin]


@strawberry.input(description="A new affiliate partner.")
class PartnerCreateInput:
    name: str = strawberry.field(description="The partner's name.")
    email: str = strawberry.field(description="Where to reach the partner.")


@strawberry.type(description="The result of creating a partner.")
class PartnerCreatePayload:
    partner: Partner | None = strawberry.field(description="The partner, when it worked.")
    user_errors: list[AccessUserError] = strawberry.field(description="Why it did not.")


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


@strawberry.type(description="The result of creating a key: the only time its secret is shown.")
class ApiKeyCreatePayload:
    api_key: ApiKey | None = strawberry.field(description="The key, when it worked.")
    secret: str | None = strawberry.field(
        description="The whole key (ck_...): shown this once, stored only as a hash."
    )
    user_errors: list[AccessUserError] = strawberry.field(description="Why it did not.")


@strawberry.input(description="A key to revoke.")
class ApiKeyRevokeInput:
    prefix: str = strawberry.field(description="The key's prefix.")


@strawberry.type(description="The result of revoking a key; it stops working at once.")
class ApiKeyRevokePayload:
    api_key: ApiKey | None = strawberry.field(description="The revoked key.")
    user_errors: list[AccessUserError] = strawberry.field(description="Why it did not.")


@strawberry.type
class AccessMutation:
    @strawberry.mutation(
        description="Open a partner (affiliate) account.", permission_classes=ADMIN
    )
    async def partner_create(
        self, info: Info[Context, None], input: PartnerCreateInput
    ) -> PartnerCreatePayload:
        access = info.context.services.access
        try:
            partner = await info.context.run(access.create_partner, input.name, input.email)
        except Rejected as rejected:
            return PartnerCreatePayload(partner=None, user_errors=user_errors(rejected))
        return PartnerCreatePayload(partner=Partner.from_domain(partner), user_errors=[])

    @strawberry.mutation(
        description="Make an API key, for staff or for a partner; the secret is shown once.",
        permission_classes=ADMIN,
    )
    async def api_key_create(
        self, info: Info[Context, None], input: ApiKeyCreateInput
    ) -> ApiKeyCreatePayload:
        access = info.context.services.access
        partner_id = None
        if input.partner_id is not None:
            partner_id = local_id_or_none(input.partner_id, "Partner")
            if partner_id is None:
                problem = Problem(Code.PARTNER_NOT_FOUND, "No such partner", ("partnerId",))
                return ApiKeyCreatePayload(
                    api_key=None, secret=None, user_errors=user_errors(Rejected([problem]))
                )

        def create() -> CreatedKey:
            return access.create_key(
                input.name,
                frozenset(input.scopes),
                partner_id=partner_id,
                expires_at=input.expires_at,
                channel=input.channel,
            )

        try:
            created = await info.context.run(create)
        except Rejected as rejected:
            return ApiKeyCreatePayload(api_key=None, secret=None, user_errors=user_errors(rejected))
        return ApiKeyCreatePayload(
            api_key=ApiKey.from_domain(created.key), secret=created.plaintext, user_errors=[]
        )

    @strawberry.mutation(
        description="Revoke a key: it stops working at once.", permission_classes=ADMIN
    )
    async def api_key_revoke(
        self, info: Info[Context, None], input: ApiKeyRevokeInput
    ) -> ApiKeyRevokePayload:
        access = info.context.services.access
        revoked = await info.context.run(access.revoke_key, input.prefix.strip())
        if revoked is None:
            problem = Problem(Code.KEY_NOT_FOUND, "No key has this prefix", ("prefix",))
            return ApiKeyRevokePayload(api_key=None, user_errors=user_errors(Rejected([problem])))
        return ApiKeyRevokePayload(api_key=ApiKey.from_domain(revoked), user_errors=[])
