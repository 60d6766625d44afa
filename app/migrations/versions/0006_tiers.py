"""Tier rules, evaluations, overrides and history; manual ratings on the customer; complaints; office settings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:34:56.514737
"""

from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_office_setting'))
    )
    op.create_table('tier_rule_set',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('in_use', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_tier_rule_set_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_rule_set'))
    )
    op.create_table('complaint',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('received_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_complaint_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_customer_received', ['customer_id', 'received_at'], unique=False)

    op.create_table('tier_override',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('ended_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_tier_override_actor_id_staff')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_tier_override_customer_id_customer')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['staff.id'], name=op.f('fk_tier_override_ended_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_override'))
    )
    with op.batch_alter_table('tier_override', schema=None) as batch_op:
        batch_op.create_index('ix_tier_override_customer', ['customer_id'], unique=False)

    op.create_table('tier_rule_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rule_set_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_tier_rule_version_actor_id_staff')),
    sa.ForeignKeyConstraint(['rule_set_id'], ['tier_rule_set.id'], name=op.f('fk_tier_rule_version_rule_set_id_tier_rule_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_rule_version')),
    sa.UniqueConstraint('rule_set_id', 'number', name=op.f('uq_tier_rule_version_rule_set_id'))
    )
    op.create_table('tier_evaluation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rule_version_id', sa.Uuid(), nullable=False),
    sa.Column('rule_set_id', sa.Uuid(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.Column('counts', sa.Text(), nullable=False),
    sa.Column('overridden', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('applied_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_tier_evaluation_actor_id_staff')),
    sa.ForeignKeyConstraint(['applied_by_id'], ['staff.id'], name=op.f('fk_tier_evaluation_applied_by_id_staff')),
    sa.ForeignKeyConstraint(['rule_set_id'], ['tier_rule_set.id'], name=op.f('fk_tier_evaluation_rule_set_id_tier_rule_set')),
    sa.ForeignKeyConstraint(['rule_version_id'], ['tier_rule_version.id'], name=op.f('fk_tier_evaluation_rule_version_id_tier_rule_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_evaluation'))
    )
    with op.batch_alter_table('tier_evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_tier_evaluation_rule_set_at', ['rule_set_id', 'at'], unique=False)

    op.create_table('tier_history',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('from_tier', sa.String(length=40), nullable=False),
    sa.Column('to_tier', sa.String(length=40), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('rule_set_name', sa.String(length=100), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=True),
    sa.Column('evaluation_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_tier_history_actor_id_staff')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_tier_history_customer_id_customer')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['tier_evaluation.id'], name=op.f('fk_tier_history_evaluation_id_tier_evaluation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_history'))
    )
    with op.batch_alter_table('tier_history', schema=None) as batch_op:
        batch_op.create_index('ix_tier_history_customer_at', ['customer_id', 'at'], unique=False)

    op.create_table('tier_proposal',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('evaluation_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('old_tier', sa.String(length=40), nullable=False),
    sa.Column('computed_tier', sa.String(length=40), nullable=False),
    sa.Column('new_tier', sa.String(length=40), nullable=False),
    sa.Column('change', sa.String(length=10), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('revenue', app.models.base.Money(), nullable=False),
    sa.Column('profit', app.models.base.Money(), nullable=False),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.Column('recency_days', sa.Integer(), nullable=True),
    sa.Column('cooperation_years', sa.Float(), nullable=True),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.Column('potential', sa.Integer(), nullable=True),
    sa.Column('influence', sa.Integer(), nullable=True),
    sa.Column('cumulative_share', sa.Float(), nullable=True),
    sa.Column('s_revenue', sa.Float(), nullable=True),
    sa.Column('s_profit', sa.Float(), nullable=True),
    sa.Column('s_purchases', sa.Float(), nullable=True),
    sa.Column('s_recency', sa.Float(), nullable=True),
    sa.Column('s_cooperation', sa.Float(), nullable=True),
    sa.Column('s_complaints', sa.Float(), nullable=True),
    sa.Column('s_potential', sa.Float(), nullable=True),
    sa.Column('s_influence', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_tier_proposal_customer_id_customer')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['tier_evaluation.id'], name=op.f('fk_tier_proposal_evaluation_id_tier_evaluation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_proposal'))
    )
    with op.batch_alter_table('tier_proposal', schema=None) as batch_op:
        batch_op.create_index('ix_tier_proposal_evaluation_customer', ['evaluation_id', 'customer_id'], unique=False)

    op.create_index(
        'ix_transaction_record_customer_figures',
        'transaction_record',
        ['customer_id', 'occurred_on', 'amount', 'profit'],
        sqlite_where=sa.text('deleted_at IS NULL'),
        postgresql_where=sa.text('deleted_at IS NULL'),
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('potential_rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('influence_rating', sa.Integer(), nullable=True))



def downgrade() -> None:
    op.drop_index('ix_transaction_record_customer_figures', table_name='transaction_record')
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose 0005's expression index.
    op.execute("ALTER TABLE customer DROP COLUMN influence_rating")
    op.execute("ALTER TABLE customer DROP COLUMN potential_rating")

    with op.batch_alter_table('tier_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_proposal_evaluation_customer')

    op.drop_table('tier_proposal')
    with op.batch_alter_table('tier_history', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_history_customer_at')

    op.drop_table('tier_history')
    with op.batch_alter_table('tier_evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_evaluation_rule_set_at')

    op.drop_table('tier_evaluation')
    op.drop_table('tier_rule_version')
    with op.batch_alter_table('tier_override', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_override_customer')

    op.drop_table('tier_override')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_customer_received')

    op.drop_table('complaint')
    op.drop_table('tier_rule_set')
    op.drop_table('office_setting')
