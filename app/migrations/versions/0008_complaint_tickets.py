"""Complaint tickets: workflow, deadlines and escalations, resolution and feedback, attachments, categories.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:55:37.165214
"""

from alembic import op
import sqlalchemy as sa
import app.models.base
import uuid
from datetime import datetime, timezone


# The categories the office's documents name; editable afterwards (labels.COMPLAINT_CATEGORY shows them).
BUILT_IN_CATEGORIES = (
    "product_quality",
    "delivery",
    "billing",
    "service_not_in_place",
    "staff_attitude",
    "staff_self_interest",
    "interdepartment_dispute",
    "other",
)
CATEGORY_NAMESPACE = uuid.UUID("6f1c3a52-8c1e-4b8e-9a57-2f0d6d1c0a01")


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_category',
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_category')),
    sa.UniqueConstraint('key', name=op.f('uq_complaint_category_key'))
    )
    op.create_table('complaint_attachment',
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('added_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['staff.id'], name=op.f('fk_complaint_attachment_added_by_id_staff')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_attachment_complaint_id_complaint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_attachment'))
    )
    with op.batch_alter_table('complaint_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_attachment_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_escalation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('to_staff_id', sa.Uuid(), nullable=True),
    sa.Column('propose_reassign', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_escalation_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['to_staff_id'], ['staff.id'], name=op.f('fk_complaint_escalation_to_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_escalation'))
    )
    with op.batch_alter_table('complaint_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_escalation_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_escalation_to_staff_id'), ['to_staff_id'], unique=False)

    op.create_table('complaint_step',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_step_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_complaint_step_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_step'))
    )
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_step_complaint_id'), ['complaint_id'], unique=False)

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_person_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=12), nullable=False, server_default="phone"))
        batch_op.add_column(sa.Column('category_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('severity', sa.String(length=10), nullable=False, server_default="normal"))
        batch_op.add_column(sa.Column('against_staff_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('responsible_staff_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('department_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default="new"))
        batch_op.add_column(sa.Column('due_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('root_cause', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('action_taken', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('preventive_action', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('compensation', app.models.base.Money(), nullable=True))
        batch_op.add_column(sa.Column('feedback_channel', sa.String(length=12), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('satisfaction', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('feedback_comment', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('no_feedback_reason', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('resolved_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('updated_by_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_complaint_open_due', ['due_at'], unique=False, sqlite_where=sa.text("status IN ('new', 'accepted', 'investigating') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('new', 'accepted', 'investigating') AND deleted_at IS NULL"))
        batch_op.create_index('ix_complaint_received', ['received_at'], unique=False)
        batch_op.create_index('ix_complaint_status_received', ['status', 'received_at'], unique=False)
        batch_op.create_index('ix_complaint_stats', ['received_at', 'status', 'category_id', 'responsible_staff_id', 'customer_id', 'resolved_at', 'due_at', 'satisfaction', 'deleted_at'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_complaint_number'), ['number'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_contact_person_id_contact_person'), 'contact_person', ['contact_person_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_department_id_department'), 'department', ['department_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_category_id_complaint_category'), 'complaint_category', ['category_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_updated_by_id_staff'), 'staff', ['updated_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_responsible_staff_id_staff'), 'staff', ['responsible_staff_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_against_staff_id_staff'), 'staff', ['against_staff_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaint_created_by_id_staff'), 'staff', ['created_by_id'], ['id'])


    # Built-in categories keep an English key (shown translated) and the same id in every database.
    category = sa.table(
        "complaint_category",
        sa.column("id", sa.Uuid),
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("created_at", app.models.base.UTCDateTime(timezone=True)),
        sa.column("updated_at", app.models.base.UTCDateTime(timezone=True)),
        sa.column("version", sa.Integer),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(
        category,
        [
            {"id": uuid.uuid5(CATEGORY_NAMESPACE, key), "key": key, "name": "", "position": position,
             "created_at": now, "updated_at": now, "version": 1}
            for position, key in enumerate(BUILT_IN_CATEGORIES)
        ],
    )
    # Tickets recorded before (for tier rules) get numbers in the order they came.
    op.execute(
        "UPDATE complaint SET number = (SELECT COUNT(*) FROM complaint AS earlier "
        "WHERE earlier.received_at < complaint.received_at "
        "OR (earlier.received_at = complaint.received_at AND earlier.id <= complaint.id))"
    )
    op.execute(
        "INSERT INTO counter (name, value) SELECT 'complaint_number', COUNT(*) FROM complaint"
    )


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_created_by_id_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaint_against_staff_id_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaint_responsible_staff_id_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaint_updated_by_id_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaint_category_id_complaint_category'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaint_department_id_department'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaint_contact_person_id_contact_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_complaint_number'), type_='unique')
        batch_op.drop_index('ix_complaint_stats', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_complaint_status_received')
        batch_op.drop_index('ix_complaint_received')
        batch_op.drop_index('ix_complaint_open_due', sqlite_where=sa.text("status IN ('new', 'accepted', 'investigating') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('new', 'accepted', 'investigating') AND deleted_at IS NULL"))
        batch_op.drop_column('updated_by_id')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('no_feedback_reason')
        batch_op.drop_column('feedback_comment')
        batch_op.drop_column('satisfaction')
        batch_op.drop_column('feedback_channel')
        batch_op.drop_column('compensation')
        batch_op.drop_column('preventive_action')
        batch_op.drop_column('action_taken')
        batch_op.drop_column('root_cause')
        batch_op.drop_column('escalation_level')
        batch_op.drop_column('due_at')
        batch_op.drop_column('status')
        batch_op.drop_column('department_id')
        batch_op.drop_column('responsible_staff_id')
        batch_op.drop_column('against_staff_id')
        batch_op.drop_column('severity')
        batch_op.drop_column('category_id')
        batch_op.drop_column('channel')
        batch_op.drop_column('contact_person_id')
        batch_op.drop_column('number')

    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_step_complaint_id'))

    op.drop_table('complaint_step')
    with op.batch_alter_table('complaint_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_escalation_to_staff_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_escalation_complaint_id'))

    op.drop_table('complaint_escalation')
    with op.batch_alter_table('complaint_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_attachment_complaint_id'))

    op.drop_table('complaint_attachment')
    op.drop_table('complaint_category')
    op.execute("DELETE FROM counter WHERE name = 'complaint_number'")
