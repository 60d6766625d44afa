"""Follow-ups, contact logs by several staff with an author, additional customer staff, holidays, last contact.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 17:49:28.808213
"""

from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holiday',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('greeting', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday'))
    )
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_on'), ['on'], unique=False)

    op.create_table('customer_staff',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_staff_customer_id_customer')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_customer_staff_staff_id_staff')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_customer_staff_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_staff'))
    )
    with op.batch_alter_table('customer_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_staff_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index('uq_customer_staff_live', ['customer_id', 'staff_id'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('contact_log_staff',
    sa.Column('contact_log_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contact_log_id'], ['contact_log.id'], name=op.f('fk_contact_log_staff_contact_log_id_contact_log')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_contact_log_staff_staff_id_staff')),
    sa.PrimaryKeyConstraint('contact_log_id', 'staff_id', name=op.f('pk_contact_log_staff'))
    )
    with op.batch_alter_table('contact_log_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_log_staff_staff_id'), ['staff_id'], unique=False)

    op.create_table('follow_up',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('done_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('contact_log_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_log_id'], ['contact_log.id'], name=op.f('fk_follow_up_contact_log_id_contact_log')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_follow_up_created_by_id_staff')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_follow_up_customer_id_customer')),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], name=op.f('fk_follow_up_owner_id_staff')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_follow_up_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_follow_up_open_due', ['due_on'], unique=False, sqlite_where=sa.text("status = 'open' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'open' AND deleted_at IS NULL"))
        batch_op.create_index('ix_follow_up_open_owner_due', ['owner_id', 'due_on'], unique=False, sqlite_where=sa.text("status = 'open' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'open' AND deleted_at IS NULL"))

    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_contact_log_staff_occurred', ['staff_id', 'occurred_at'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_contact_log_created_by_id_staff'), 'staff', ['created_by_id'], ['id'])

    # Plain ALTER TABLE, not a batch copy, which would lose 0005's expression index on customer.
    op.add_column('customer', sa.Column('last_contact_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE contact_log SET created_by_id = updated_by_id WHERE created_by_id IS NULL"
    )
    op.execute(
        "UPDATE customer SET last_contact_at = (SELECT max(l.occurred_at) FROM contact_log l "
        "WHERE l.customer_id = customer.id AND l.deleted_at IS NULL)"
    )
    op.create_index('ix_customer_watch', 'customer', ['deleted_at', 'last_contact_at', 'registered_on', 'created_at', 'category', 'tier', 'code', 'manager_id', 'id'], unique=False)

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('left_on')

    op.drop_index('ix_customer_watch', table_name='customer')
    op.drop_column('customer', 'last_contact_at')

    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_log_created_by_id_staff'), type_='foreignkey')
        batch_op.drop_index('ix_contact_log_staff_occurred')
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_open_owner_due', sqlite_where=sa.text("status = 'open' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'open' AND deleted_at IS NULL"))
        batch_op.drop_index('ix_follow_up_open_due', sqlite_where=sa.text("status = 'open' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'open' AND deleted_at IS NULL"))
        batch_op.drop_index(batch_op.f('ix_follow_up_customer_id'))

    op.drop_table('follow_up')
    with op.batch_alter_table('contact_log_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_log_staff_staff_id'))

    op.drop_table('contact_log_staff')
    with op.batch_alter_table('customer_staff', schema=None) as batch_op:
        batch_op.drop_index('uq_customer_staff_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_customer_staff_staff_id'))

    op.drop_table('customer_staff')
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_on'))

    op.drop_table('holiday')
