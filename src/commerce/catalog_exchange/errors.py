"""Why a catalog file, or one of its cells, is refused: the codes staff see."""

from __future__ import annotations

import enum


class CatalogImportErrorCode(enum.Enum):
    """Reasons an import refuses a file; each comes with a line and a column."""

    ENCODING = "ENCODING"
    MALFORMED = "MALFORMED"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    UNKNOWN_HEADER = "UNKNOWN_HEADER"
    DUPLICATE_COLUMN = "DUPLICATE_COLUMN"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_HANDLE = "INVALID_HANDLE"
    INVALID_PRICE = "INVALID_PRICE"
    TOO_MANY = "TOO_MANY"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    SKU_TAKEN = "SKU_TAKEN"
    REFUSED = "REFUSED"
    NOT_FOUND = "NOT_FOUND"
