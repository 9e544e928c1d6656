"""The recommendations' items in the single table: one module per aggregate."""
