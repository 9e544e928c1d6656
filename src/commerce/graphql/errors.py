"""Top-level GraphQL errors a client may see, each with ``extensions.code``.

Business outcomes are not here: they are values in mutation payloads
(``userErrors``). These are for requests the API refuses as a whole or in a
field: bad arguments, missing credentials, missing permissions. Any other
exception is masked by the HTTP layer to a generic error with a request id.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class ClientError(GraphQLError):
    """An error whose message is safe and useful to show to the caller."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadUserInput(ClientError):
    """An argument is malformed or out of range (bad id, cursor, page size...)."""

    code = "BAD_USER_INPUT"


class Unauthenticated(ClientError):
    """The field needs credentials and the request carried none (or bad ones)."""

    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    """The caller is known but lacks the scope this field needs."""

    code = "FORBIDDEN"
