"""The validation rule that bounds the size of integer literals.

graphql-core converts an Int literal with ``int()`` while it executes, and Python
refuses (``ValueError``) strings of more than 4,300 digits, a quadratic conversion
below that. No Int (32 bits) or Float argument needs more than a few digits, so longer
literals are refused at validation, with a message, before anything converts them.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, IntValueNode, ValidationRule

MAX_INT_LITERAL_DIGITS = 20


class IntLiteralSizeRule(ValidationRule):
    """Refuses an integer literal of more than ``MAX_INT_LITERAL_DIGITS`` digits."""

    def enter_int_value(self, node: IntValueNode, *_args: Any) -> None:
        if len(node.value.lstrip("-")) > MAX_INT_LITERAL_DIGITS:
            self.report_error(
                GraphQLError(
                    f"Integer literals have at most {MAX_INT_LITERAL_DIGITS} digits",
                    [node],
                )
            )
