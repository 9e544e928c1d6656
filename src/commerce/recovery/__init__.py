"""Abandoned-cart recovery: a personal offer on the items a shopper lingered over."""
