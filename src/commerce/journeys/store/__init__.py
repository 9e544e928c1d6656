"""Journeys in the single table: one module per aggregate (see ``docs/data-model.md``)."""
