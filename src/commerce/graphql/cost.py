"""The calculated cost, depth and breadth of one GraphQL operation, before it runs.

Pure over the parsed document and the schema, in the spirit of Shopify's
calculated query cost:

- an object (or interface, union) costs 1, a scalar or enum 0;
- a connection (a field returning ``...Connection`` with ``first``/``last``) costs 1
  plus its page size times the cost of ``edges`` and ``nodes`` beneath it; the page
  size is ``first``, else ``last``, else the default page of 20 (variables resolved,
  then the variable's default, then the argument's);
- ``nodes(ids:)`` costs the number of ids times one node;
- a mutation's root field costs 10 more (writes are dearer than reads);
- fragments count where they are spread; on an interface or union, the dearest
  possible type counts (only one of them can come back per object).

A document that does not validate still gets a cost (unknown fields count 0):
the cost check runs first, and validation then refuses it with its own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

DEFAULT_PAGE_SIZE = 20
MUTATION_COST = 10
CONNECTION_ITEM_FIELDS = frozenset({"edges", "nodes"})
# Fields a client may ask at once, at the root and as aliases anywhere: the bound on
# how many independent reads one request can fan out to.
MAX_ROOT_FIELDS = 30
MAX_ALIASES = 30


@dataclass(frozen=True, slots=True)
class OperationCost:
    """The figures of one operation."""

    cost: int
    depth: int
    root_fields: int
    aliases: int
    operation_type: OperationType | None


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        defaults: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.aliases = 0
        self.depth = 0

    def selection_cost(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        depth: int,
        page: int | None = None,
    ) -> int:
        """Cost of a selection set; on an abstract type, the dearest possible type.

        ``page`` is set inside a connection: its ``edges`` and ``nodes`` cost that many times.
        """
        if isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
            possible = self.schema.get_possible_types(parent)
            if possible:
                return max(
                    self._fields_cost(
                        selection_set, concrete, parent, depth, page=page, seen=frozenset()
                    )
                    for concrete in possible
                )
        return self._fields_cost(selection_set, parent, parent, depth, page=page, seen=frozenset())

    def _applies(self, condition: str | None, concrete: GraphQLNamedType) -> bool:
        if condition is None or condition == concrete.name:
            return True
        named = self.schema.get_type(condition)
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType) and isinstance(
            concrete, GraphQLObjectType
        ):
            return self.schema.is_sub_type(named, concrete)
        return False

    def _fields_cost(
        self,
        selection_set: SelectionSetNode,
        concrete: GraphQLNamedType,
        declared: GraphQLNamedType,
        depth: int,
        *,
        page: int | None,
        seen: frozenset[str],
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, concrete, declared, depth, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                if self._applies(condition, concrete):
                    total += self._fields_cost(
                        selection.selection_set, concrete, declared, depth, page=page, seen=seen
                    )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: validation refuses the document
                if self._applies(fragment.type_condition.name.value, concrete):
                    total += self._fields_cost(
                        fragment.selection_set,
                        concrete,
                        declared,
                        depth,
                        page=page,
                        seen=seen | {name},
                    )
        return total

    def field_cost(
        self,
        node: FieldNode,
        concrete: GraphQLNamedType,
        declared: GraphQLNamedType,
        depth: int,
        page: int | None = None,
    ) -> int:
        if node.alias is not None:
            self.aliases += 1
        self.depth = max(self.depth, depth)
        name = node.name.value
        definition = self._field(concrete, name) or self._field(declared, name)
        if definition is None or node.selection_set is None:
            return 0  # a scalar, __typename, or an unknown field validation will refuse
        named, is_list = _unwrap(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0
        if named.name.endswith("Connection") and (
            "first" in definition.args or "last" in definition.args
        ):
            size = self._page_size(node)
            return 1 + self.selection_cost(node.selection_set, named, depth + 1, page=size)
        if page is not None and name in CONNECTION_ITEM_FIELDS:
            multiplier = page
        elif is_list:
            multiplier = self._list_size(node)
        else:
            multiplier = 1
        return multiplier * (1 + self.selection_cost(node.selection_set, named, depth + 1))

    def _field(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if name == "__schema" and parent is self.schema.query_type:
            return SchemaMetaFieldDef
        if name == "__type" and parent is self.schema.query_type:
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def _argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self._value(argument.value)
        return None

    def _value(self, value: ValueNode) -> Any:
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self.variables:
                return self.variables[name]
            return self.defaults.get(name)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return list(value.values)
        return None

    def _page_size(self, node: FieldNode) -> int:
        for name in ("first", "last"):
            size = self._argument(node, name)
            if isinstance(size, int) and not isinstance(size, bool):
                return max(size, 0)
        return DEFAULT_PAGE_SIZE

    def _list_size(self, node: FieldNode) -> int:
        ids = self._argument(node, "ids")
        if isinstance(ids, list):
            return max(len(ids), 1)
        return 1


def _unwrap(output: GraphQLOutputType) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    current: Any = output
    while isinstance(current, GraphQLNonNull | GraphQLList):
        if isinstance(current, GraphQLList):
            is_list = True
        current = current.of_type
    return current, is_list


def select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation a request runs: the named one, or the only one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    return None


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> OperationCost:
    """The cost, depth and breadth of the operation a request would run."""
    operation = select_operation(document, operation_name)
    if operation is None:
        return OperationCost(0, 0, 0, 0, None)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        v.variable.name.value: _literal(v.default_value)
        for v in operation.variable_definitions or ()
        if v.default_value is not None
    }
    walk = _Walk(schema, fragments, variables or {}, defaults)
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return OperationCost(0, 0, 0, 0, operation.operation)
    root_fields = _root_fields(operation.selection_set, fragments, frozenset())
    cost = 0
    for field in root_fields:
        field_cost = walk.field_cost(field, root, root, 1)
        if operation.operation is OperationType.MUTATION:
            field_cost += MUTATION_COST
        cost += field_cost
    return OperationCost(cost, walk.depth, len(root_fields), walk.aliases, operation.operation)


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> list[FieldNode]:
    fields: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields.extend(_root_fields(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                fields.extend(_root_fields(fragment.selection_set, fragments, seen | {name}))
    return fields


def _literal(value: ValueNode) -> Any:
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, ListValueNode):
        return list(value.values)
    return None
