"""Catalog: products, variants, prices, collections and the storefront listing."""
