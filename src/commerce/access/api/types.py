"""API key and partner types. A key's secret appears once, in apiKeyCreate's payload."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from commerce.access import model
from commerce.access.errors import AccessErrorCode as DomainAccessErrorCode
from commerce.graphql.channels import SalesChannel
from commerce.graphql.context import Context
from commerce.graphql.ids import to_global_id
from commerce.graphql.relay import Node
from commerce.graphql.user_errors import UserError

ApiKeyScope = strawberry.enum(
    model.Scope,
    name="ApiKeyScope",
    description=(
        "A permission a key carries: STOREFRONT_READ (catalog), CHECKOUT (carts and orders), "
        "PARTNER_REPORTS (a partner's own reports), ADMIN (staff: everything)."
    ),
)
AccessErrorCode = strawberry.enum(
    DomainAccessErrorCode,
    name="AccessErrorCode",
    description="Why an API key or partner change was refused.",
)


def _scope_name(scope: model.Scope) -> str:
    return scope.value


def partner_global_id(partner_id: str) -> str:
    return to_global_id("Partner", partner_id)


@strawberry.type(description="Why a key or partner change was refused.")
class AccessUserError(UserError):
    code: AccessErrorCode = strawberry.field(description="What is wrong, for programs.")


@strawberry.type(description="An API key as staff and its partner see it: never its secret.")
class ApiKey:
    prefix: str = strawberry.field(description="The key's public prefix (ck_<prefix>_...).")
    name: str = strawberry.field(description="What the key is for.")
    scopes: list[ApiKeyScope] = strawberry.field(description="What the key may do.")
    partner_id: strawberry.ID | None = strawberry.field(
        description="The partner the key was issued to; null for a staff key."
    )
    channel: SalesChannel = strawberry.field(
        description="The sales channel its callers' carts and orders are priced for."
    )
    created_at: datetime = strawberry.field(description="When it was made.")
    expires_at: datetime | None = strawberry.field(description="When it stops working, if ever.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    last_used_at: datetime | None = strawberry.field(
        description="When it was last used (recorded at most every five minutes)."
    )

    @strawberry.field(description="Whether it authenticates requests now.")
    def active(self, info: Info[Context, None]) -> bool:
        now = info.context.services.access.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    @classmethod
    def from_domain(cls, key: model.ApiKey) -> ApiKey:
        return cls(
            prefix=key.prefix,
            name=key.name,
            scopes=sorted(key.scopes, key=_scope_name),
            partner_id=(
                None if key.partner_id is None else strawberry.ID(partner_global_id(key.partner_id))
            ),
            channel=key.channel,
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


@strawberry.type(description="An affiliate partner account.")
class Partner(Node):
    name: str = strawberry.field(description="The partner's name.")
    email: str = strawberry.field(description="Where to reach the partner.")
    created_at: datetime = strawberry.field(description="When the account was opened.")
    _partner_id: strawberry.Private[str]

    @classmethod
    def from_domain(cls, partner: model.Partner) -> Partner:
        return cls(
            id=strawberry.ID(partner_global_id(partner.id)),
            name=partner.name,
            email=partner.email,
            created_at=partner.created_at,
            _partner_id=partner.id,
        )

    @strawberry.field(description="The partner's API keys, oldest first (never their secrets).")
    async def api_keys(self, info: Info[Context, None]) -> list[ApiKey]:
        found = await info.context.run(info.context.services.access.partner_keys, self._partner_id)
        return [ApiKey.from_domain(k) for k in found]
