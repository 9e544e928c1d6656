"""The GraphQL API: schema assembly, request context, errors and the HTTP endpoint."""
