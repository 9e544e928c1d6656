"""Field permissions: one class per rule of who may read or call what.

Each class either lets the field run or raises a top-level error with its own code:
UNAUTHENTICATED when the request carried no credential the rule accepts, FORBIDDEN
when it did but the caller lacks the right. Business refusals are never raised here:
they are ``userErrors`` in a mutation's payload.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.graphql.context import Context
from commerce.graphql.errors import Forbidden, Unauthenticated
from commerce.principals import PrincipalKind, Scope


class IsAdmin(BasePermission):
    """Store staff only: an API key (or later a staff token) with the admin scope."""

    message = "Admin access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal.kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated("Admin access required: send an admin API key in X-API-Key")
        if not principal.has(Scope.ADMIN):
            if principal.kind is PrincipalKind.CUSTOMER:
                raise Forbidden("Admin access required: customers cannot use this field")
            raise Forbidden("Admin access required: this API key lacks the admin scope")
        return True


class IsCustomer(BasePermission):
    """A logged-in customer (bearer token): the field reads or changes their own account."""

    message = "Customer access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        kind = info.context.principal.kind
        if kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated(
                "Log in first: send the customer's access token as 'Authorization: Bearer <token>'"
            )
        if kind is not PrincipalKind.CUSTOMER:
            raise Forbidden("Only a logged-in customer can use this field")
        return True


class IsPartner(BasePermission):
    """A partner affiliate calling with one of its own API keys."""

    message = "Partner access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        kind = info.context.principal.kind
        if kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated("Partner access required: send your API key in X-API-Key")
        if kind is not PrincipalKind.PARTNER:
            raise Forbidden("Only a partner's API key can use this field")
        return True


class HasCheckoutScope(BasePermission):
    """Carts and checkout: anonymous shoppers, customers and keys with the checkout scope.

    A partner's reporting key, or a catalog-feed key with only ``storefront:read``, is
    refused: a leaked feed key must not be able to fill carts in the shop's name.
    """

    message = "Checkout access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        if not info.context.principal.has(Scope.CHECKOUT):
            raise Forbidden("This credential lacks the checkout scope")
        return True


# The permission lists resolvers name, so a field's rule reads as one word.
ADMIN: list[type[BasePermission]] = [IsAdmin]
CUSTOMER: list[type[BasePermission]] = [IsCustomer]
PARTNER: list[type[BasePermission]] = [IsPartner]
CHECKOUT: list[type[BasePermission]] = [HasCheckoutScope]
