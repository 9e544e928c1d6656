"""Field arguments shared by every connection, described once for the schema."""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[
    int | None, strawberry.argument(description="How many items from the start (at most 100).")
]
After = Annotated[
    str | None, strawberry.argument(description="Start after the item with this cursor.")
]
Last = Annotated[
    int | None, strawberry.argument(description="How many items from the end (at most 100).")
]
Before = Annotated[
    str | None, strawberry.argument(description="End before the item with this cursor.")
]
