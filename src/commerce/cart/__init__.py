"""Carts: what a shopper means to buy, priced from the catalog whenever it is read."""
