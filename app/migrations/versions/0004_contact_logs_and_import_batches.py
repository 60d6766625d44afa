"""Contact logs, and import batches with what they wrote, the problems they found and remembered mappings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:12:03.800437
"""

from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_mapping',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.Text(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_import_mapping'))
    )
    op.create_table('import_batch',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=260), nullable=False),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('on_duplicate', sa.String(length=10), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('merged', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('undone_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_import_batch_actor_id_staff')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['staff.id'], name=op.f('fk_import_batch_undone_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    op.create_table('import_issue',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=True),
    sa.Column('dismissed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_issue_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_import_issue_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_issue'))
    )
    with op.batch_alter_table('import_issue', schema=None) as batch_op:
        batch_op.create_index('ix_import_issue_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_import_issue_customer', ['customer_id'], unique=False)

    op.create_table('import_item',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_item_batch_id_import_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_item'))
    )
    with op.batch_alter_table('import_item', schema=None) as batch_op:
        batch_op.create_index('ix_import_item_batch', ['batch_id'], unique=False)

    op.create_table('contact_log',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('contact_person_id', sa.Uuid(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('next_date', sa.Date(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_person_id'], ['contact_person.id'], name=op.f('fk_contact_log_contact_person_id_contact_person')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_contact_log_customer_id_customer')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_contact_log_staff_id_staff')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_contact_log_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_log'))
    )
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.create_index('ix_contact_log_customer_occurred', ['customer_id', 'occurred_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_log_customer_occurred')

    op.drop_table('contact_log')
    with op.batch_alter_table('import_item', schema=None) as batch_op:
        batch_op.drop_index('ix_import_item_batch')

    op.drop_table('import_item')
    with op.batch_alter_table('import_issue', schema=None) as batch_op:
        batch_op.drop_index('ix_import_issue_customer')
        batch_op.drop_index('ix_import_issue_batch')

    op.drop_table('import_issue')
    op.drop_table('import_batch')
    op.drop_table('import_mapping')
