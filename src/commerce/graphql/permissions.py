"""Field permissions: which principal may read or call what."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from commerce.access.model import PrincipalKind, Scope
from commerce.graphql.context import Context
from commerce.graphql.errors import Forbidden, Unauthenticated


class IsAdmin(BasePermission):
    """Store staff only: an API key (or later a staff token) with the admin scope."""

    message = "Admin access required"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal.kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated("Admin access required: send an admin API key in X-API-Key")
        if not principal.has(Scope.ADMIN):
            raise Forbidden("Admin access required: this API key lacks the admin scope")
        return True
