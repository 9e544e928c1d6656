"""Tax: rates by country and region, and the tax a cart's lines and shipping carry."""
