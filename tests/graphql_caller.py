"""The frontend's way of calling the API in tests, importable by name from any test file
(a ``conftest`` module is not: pytest loads one per folder under the same name)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

__all__ = ["GraphQLCaller"]


class GraphQLCaller:
    """Posts operations and returns the decoded JSON body (asserting a 200 by default)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        api_key: str | None = None,
        status: int = 200,
    ) -> dict[str, Any]:
        headers = {"X-API-Key": api_key} if api_key else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body
