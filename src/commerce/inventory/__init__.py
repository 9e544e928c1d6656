"""Stock of physical variants: staff set and adjust it, checkout takes and releases it."""
