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

The walk is linear in the document: each fragment is analysed once per type it is
spread on and its figures remembered, so a fragment spread twice in each of a chain of
fragments (exponential once expanded) costs one visit per fragment. Its figures are
kept apart by what a connection's page multiplies (``edges``/``nodes``) and what it
does not, so one analysis serves every page size it is spread under. Figures saturate
at ``SATURATED``: beyond that, only "too dear" matters, and big integers would make
each addition slower. ``work`` counts the selections visited: what the analysis cost,
which admission charges when it refuses the operation.

A document that does not validate still gets a cost (unknown fields count 0, a cyclic
spread counts nothing): the cost check runs first, and validation then refuses it with
its own message.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
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
# Fields, inline fragments and spreads nested in one another. Validation allows 12
# levels of fields; this bound keeps the walk's recursion far from Python's limit when
# it runs before validation (a chain of hundreds of fragments fits in 5,000 tokens).
MAX_NESTING = 64
# Where figures stop growing: far above any maximum cost, small enough for fast ints.
SATURATED = 10**15
# An Int literal longer than this is beyond any page size; int() of a literal of
# thousands of digits is slow, and Python refuses one over 4,300 digits.
_MAX_INT_DIGITS = 15
# Operations costed per process, per variables shape: as many as the parsed documents
# kept (``graphql.documents``) times a few shapes each (page sizes a client uses).
CACHED_COSTS = 2_048


class OperationTooDeep(Exception):
    """The operation nests fields and fragments deeper than ``MAX_NESTING``."""

    def __init__(self, work: int) -> None:
        super().__init__(f"fields and fragments nest more than {MAX_NESTING} levels deep")
        self.work = work


@dataclass(frozen=True, slots=True)
class OperationCost:
    """The figures of one operation; ``work`` is the number of selections analysed."""

    cost: int
    depth: int
    root_fields: int
    aliases: int
    operation_type: OperationType | None
    work: int = 0


@dataclass(frozen=True, slots=True)
class _Figures:
    """One selection set's figures on one concrete type.

    ``base`` is what its fields other than ``edges``/``nodes`` cost; ``item`` what those
    cost once (a connection multiplies it by its page size); ``plain`` what they cost
    outside a connection (once, or per id of ``nodes(ids:)``). ``fields`` counts the
    field selections at this level, fragments expanded: at the root, the root fields.
    """

    base: int = 0
    item: int = 0
    plain: int = 0
    depth: int = 0
    aliases: int = 0
    fields: int = 0

    def plus(self, other: _Figures) -> _Figures:
        return _Figures(
            _sat(self.base + other.base),
            _sat(self.item + other.item),
            _sat(self.plain + other.plain),
            max(self.depth, other.depth),
            _sat(self.aliases + other.aliases),
            _sat(self.fields + other.fields),
        )

    def cost(self, page: int | None) -> int:
        if page is None:
            return _sat(self.base + self.plain)
        return _sat(self.base + page * self.item)


_NOTHING = _Figures()


def _sat(value: int) -> int:
    return min(value, SATURATED)


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
        self.work = 0
        # (fragment, concrete type, declared type) -> its figures, computed once.
        self._memo: dict[tuple[str, str, str], _Figures] = {}
        self._in_progress: set[str] = set()

    def _dearest(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, nesting: int
    ) -> list[_Figures]:
        """A selection set's figures on each type it may meet (several on an abstract type).

        Which type is dearest may depend on the page size, so the caller picks.
        """
        if isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
            possible = self.schema.get_possible_types(parent)
            if possible:
                return [
                    self._fields(selection_set, concrete, parent, nesting) for concrete in possible
                ]
        return [self._fields(selection_set, parent, parent, nesting)]

    def _applies(self, condition: str | None, concrete: GraphQLNamedType) -> bool:
        if condition is None or condition == concrete.name:
            return True
        named = self.schema.get_type(condition)
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType) and isinstance(
            concrete, GraphQLObjectType
        ):
            return self.schema.is_sub_type(named, concrete)
        return False

    def _fields(
        self,
        selection_set: SelectionSetNode,
        concrete: GraphQLNamedType,
        declared: GraphQLNamedType,
        nesting: int,
    ) -> _Figures:
        if nesting > MAX_NESTING:
            raise OperationTooDeep(self.work)
        total = _NOTHING
        for selection in selection_set.selections:
            self.work += 1
            if isinstance(selection, FieldNode):
                total = total.plus(self.field_figures(selection, concrete, declared, nesting))
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                if self._applies(condition, concrete):
                    inner = self._fields(selection.selection_set, concrete, declared, nesting + 1)
                    total = total.plus(inner)
            elif isinstance(selection, FragmentSpreadNode):
                total = total.plus(self._spread(selection.name.value, concrete, declared, nesting))
        return total

    def _spread(
        self, name: str, concrete: GraphQLNamedType, declared: GraphQLNamedType, nesting: int
    ) -> _Figures:
        fragment = self.fragments.get(name)
        if fragment is None or name in self._in_progress:
            return _NOTHING  # unknown or cyclic: validation refuses the document
        if not self._applies(fragment.type_condition.name.value, concrete):
            return _NOTHING
        key = (name, concrete.name, declared.name)
        known = self._memo.get(key)
        if known is None:
            self._in_progress.add(name)
            try:
                known = self._fields(fragment.selection_set, concrete, declared, nesting + 1)
            finally:
                self._in_progress.discard(name)
            self._memo[key] = known
        return known

    def field_figures(
        self,
        node: FieldNode,
        concrete: GraphQLNamedType,
        declared: GraphQLNamedType,
        nesting: int,
    ) -> _Figures:
        """One field's figures, in the slot (base or item) its parent counts it in."""
        aliases = 1 if node.alias is not None else 0
        name = node.name.value
        definition = self._field(concrete, name) or self._field(declared, name)
        if definition is None or node.selection_set is None:
            # A scalar, __typename, or an unknown field validation will refuse.
            return _Figures(depth=1, aliases=aliases, fields=1)
        named, is_list = _unwrap(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return _Figures(depth=1, aliases=aliases, fields=1)
        walked = self._dearest(node.selection_set, named, nesting + 1)
        depth = 1 + max(figures.depth for figures in walked)
        aliases = _sat(aliases + max(figures.aliases for figures in walked))
        if named.name.endswith("Connection") and (
            "first" in definition.args or "last" in definition.args
        ):
            page = self._page_size(node)
            own = _sat(1 + max(figures.cost(page) for figures in walked))
        else:
            inner = _sat(1 + max(figures.cost(None) for figures in walked))
            multiplier = self._list_size(node) if is_list else 1
            if name in CONNECTION_ITEM_FIELDS:
                # Inside a connection, its page multiplies this; outside, it counts as any field.
                return _Figures(
                    item=inner,
                    plain=_sat(multiplier * inner),
                    depth=depth,
                    aliases=aliases,
                    fields=1,
                )
            own = _sat(multiplier * inner)
        return _Figures(base=own, depth=depth, aliases=aliases, fields=1)

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
        return _literal(value)

    def _page_size(self, node: FieldNode) -> int:
        for name in ("first", "last"):
            size = self._argument(node, name)
            if isinstance(size, int) and not isinstance(size, bool):
                return min(max(size, 0), SATURATED)
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
    """The cost, depth and breadth of the operation a request would run.

    Raises ``OperationTooDeep`` past ``MAX_NESTING`` levels.
    """
    operation = select_operation(document, operation_name)
    if operation is None:
        return OperationCost(0, 0, 0, 0, None)
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            # The first of two fragments of one name: validation refuses the document.
            fragments.setdefault(definition.name.value, definition)
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
    figures = walk._fields(operation.selection_set, root, root, 1)
    cost = figures.cost(None)
    if operation.operation is OperationType.MUTATION:
        cost = _sat(cost + MUTATION_COST * figures.fields)
    return OperationCost(
        cost, figures.depth, figures.fields, figures.aliases, operation.operation, walk.work
    )


def _literal(value: ValueNode) -> Any:
    if isinstance(value, IntValueNode):
        digits = value.value
        if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
            return -SATURATED if digits.startswith("-") else SATURATED
        return int(digits)
    if isinstance(value, ListValueNode):
        return list(value.values)
    return None


# -- cached with the document ----------------------------------------------------------------

# What a variable's value can change in the cost: its integer (a page size), its length
# (ids), or nothing. Every other value, like a missing one, counts as the default.
_ABSENT: tuple[str] = ("absent",)
_OTHER: tuple[str] = ("other",)


def _shape(value: Any) -> Hashable:
    if isinstance(value, int) and not isinstance(value, bool):
        return ("int", value)
    if isinstance(value, list):
        return ("list", len(value))
    return _OTHER


def _stand_in(shape: Hashable) -> Any:
    """A value the walk reads exactly as it reads every value of this shape."""
    if isinstance(shape, tuple) and shape[0] == "int":
        return shape[1]
    if isinstance(shape, tuple) and shape[0] == "list":
        return [None] * int(shape[1])
    return None


def cached_operation_cost(
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> OperationCost:
    """``operation_cost`` of ``document`` (the parse of ``query``), remembered per shape.

    The walk reads a variable only as a page size (``first``/``last``: an integer, else
    the default) or as a list's length (``ids``), so the cost depends on the variables
    only through those figures: the cache key keeps exactly them, and a client changing
    ``first`` from 5 to 50 is costed anew, while one changing a handle or a cart input
    is not. Raises ``OperationTooDeep`` as ``operation_cost`` does, cached too.
    """
    shape = tuple(sorted((name, _shape(value)) for name, value in (variables or {}).items()))
    outcome = _costed(schema, query, operation_name, shape, _DocumentRef(document))
    if isinstance(outcome, OperationTooDeep):
        raise OperationTooDeep(outcome.work)
    return outcome


class _DocumentRef:
    """The parsed document carried into the cache without being part of its key.

    The query text is the key (a ``DocumentNode`` hashes by walking the whole tree); every
    document handed in for one text is that text's parse, so any of them serves.
    """

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DocumentRef)


@lru_cache(maxsize=CACHED_COSTS)
def _costed(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    shape: tuple[tuple[str, Hashable], ...],
    ref: _DocumentRef,
) -> OperationCost | OperationTooDeep:
    variables = {name: _stand_in(value) for name, value in shape}
    try:
        return operation_cost(schema, ref.document, operation_name, variables)
    except OperationTooDeep as too_deep:
        return too_deep
