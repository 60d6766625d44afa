"""Contact persons and transactions remember who saved them last (for a conflict message that is true).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("contact_person", "transaction_record")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_by_id", sa.Uuid(), nullable=True))
            batch.create_foreign_key(op.f(f"fk_{table}_updated_by_id_staff"), "staff", ["updated_by_id"], ["id"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_updated_by_id_staff"), type_="foreignkey")
            batch.drop_column("updated_by_id")
