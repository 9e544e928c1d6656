"""Reviews of purchased products, their moderation and requests; feedback on orders."""
