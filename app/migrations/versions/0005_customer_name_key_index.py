"""An index of live customers' names without spaces and in lower case: imports find an existing
customer typed with other spacing (中国建筑 (集团) vs 中国建筑(集团)) without reading every name.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_customer_name_key",
        "customer",
        [sa.text("lower(replace(name, ' ', ''))")],
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_customer_name_key", table_name="customer")
