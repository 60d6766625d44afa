"""Alembic migrations of the ClientDesk schema, and the objects autogenerate must leave alone."""

from __future__ import annotations

# The migrations create these for search; they are not models, so autogenerate would drop them:
# SQLite's full-text tables (and FTS5's shadow tables), PostgreSQL's pg_trgm index, and the index of
# name keys (an expression index, which autogenerate cannot compare).
SEARCH_TABLE_PREFIX = "customer_fts"
SEARCH_INDEXES = frozenset({"ix_customer_search_body_trgm", "ix_customer_name_key"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: False for the search objects the models do not declare."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)
