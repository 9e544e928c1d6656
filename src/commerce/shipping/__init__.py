"""Shipping: zones of countries, the rates offered in each, and the options a cart gets."""
