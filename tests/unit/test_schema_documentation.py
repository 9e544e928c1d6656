"""schema.graphql is the frontend teams' documentation: everything in it is described."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from commerce.schema import build_schema

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
# Strawberry's own scalars come with its descriptions or none; they are standard names.
LIBRARY_SCALARS = {"Decimal", "DateTime"}


def undocumented() -> list[str]:
    schema = build_schema()._schema
    missing: list[str] = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS | LIBRARY_SCALARS:
            continue
        if not graphql_type.description and name not in {"Query", "Mutation"}:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                if not input_field.description:
                    missing.append(f"{name}.{field_name}")
        elif isinstance(graphql_type, GraphQLEnumType | GraphQLScalarType | GraphQLUnionType):
            continue
    return missing


def test_every_type_and_field_of_the_schema_has_a_description() -> None:
    assert undocumented() == []
