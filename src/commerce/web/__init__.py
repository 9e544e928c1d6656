"""The HTTP edge: every way in over HTTP, on top of the GraphQL kernel and the contexts.

An entry-point layer: it imports ``commerce.graphql``, the composition root and the
contexts' services; none of them imports it, so HTTP details never leak inward.
"""
