"""The validation rule that bounds how deep an operation's fields nest.

Strawberry's ``QueryDepthLimiter`` rule follows every fragment spread anew, so a chain
of fragments each spreading the next twice (a kilobyte of text) takes exponential
time in validation. This rule has the same meaning (introspection fields and leaves
do not count, a field with a selection set counts one more than its deepest child)
and remembers each fragment's depth, so it is linear in the document.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

# Selection sets and fragments nested in one another that the rule follows; past it,
# the operation is too deep whatever its fields (and the walk stays far from Python's
# recursion limit).
MAX_NESTING = 64


class _TooDeep(Exception):
    pass


class _Depths:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, int] = {}
        self.in_progress: set[str] = set()

    def of(self, selection_set: SelectionSetNode, nesting: int) -> int:
        if nesting > MAX_NESTING:
            raise _TooDeep
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.of(selection.selection_set, nesting + 1))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.of(selection.selection_set, nesting + 1))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(selection.name.value, nesting))
        return deepest

    def _fragment(self, name: str, nesting: int) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.in_progress:
            return 0  # unknown or cyclic: other rules refuse it
        known = self.memo.get(name)
        if known is None:
            self.in_progress.add(name)
            try:
                known = self.of(fragment.selection_set, nesting + 1)
            finally:
                self.in_progress.discard(name)
            self.memo[name] = known
        return known


def depth_limit_rule(max_depth: int) -> type[ValidationRule]:
    """A rule refusing operations whose fields nest deeper than ``max_depth``."""

    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            definitions = context.document.definitions
            fragments: dict[str, FragmentDefinitionNode] = {}
            for definition in definitions:
                if isinstance(definition, FragmentDefinitionNode):
                    fragments.setdefault(definition.name.value, definition)
            depths = _Depths(fragments)
            for definition in definitions:
                if isinstance(definition, OperationDefinitionNode):
                    _check(context, depths, definition, max_depth)

    return DepthLimit


def _check(
    context: ValidationContext, depths: _Depths, operation: OperationDefinitionNode, maximum: int
) -> None:
    name = operation.name.value if operation.name else "anonymous"
    try:
        depth: int | None = depths.of(operation.selection_set, 0)
    except _TooDeep:
        depth = None
    if depth is None or depth > maximum:
        message = f"'{name}' exceeds maximum operation depth of {maximum}"
        context.report_error(GraphQLError(message, [operation]))
