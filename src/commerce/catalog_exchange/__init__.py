"""Catalog import and export in Shopify's product CSV format (``docs/catalog-csv.md``).

Pure modules read and write the file (``columns``, ``reader``, ``plan``, ``writer``);
``service`` applies a validated file through the catalog's and inventory's own use cases
and runs imports sent through GraphQL as jobs (``store``).
"""
