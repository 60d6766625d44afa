"""Indexes of the live customers in the list's usual orders (code, name, last change).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Partial indexes (SQLite and PostgreSQL both have them): a page deep in the list is found by
# walking one of these without reading the rows it skips, nor the deleted ones.
INDEXES = {
    "ix_customer_live_code": ["code"],
    "ix_customer_live_name": ["name", "code"],
    "ix_customer_live_updated_at": ["updated_at", "code"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(
            name, "customer", columns,
            sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="customer")
