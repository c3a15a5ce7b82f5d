"""Plan workflow: the recorded start of support, evaluation due dates beyond the plan's own,
deviations approved by the gemeente, and the results a gemeente sets on a toewijzing (issue 7).

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_start',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('toewijzing_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_support_start_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['toewijzing_id'], ['toewijzing.id'], name=op.f('fk_support_start_toewijzing_id_toewijzing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_start')),
    sa.UniqueConstraint('toewijzing_id', name=op.f('uq_support_start_toewijzing_id'))
    )

    op.create_table('evaluation_due',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('replaces', sa.Date(), nullable=True),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('afgesproken', 'extra', 'signalering')", name=op.f('ck_evaluation_due_kind')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_evaluation_due_plan_id_plan')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_evaluation_due_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_due'))
    )
    with op.batch_alter_table('evaluation_due', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_due_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_deviation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('aangevraagd', 'goedgekeurd', 'afgewezen')", name=op.f('ck_plan_deviation_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_plan_deviation_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_deviation_plan_id_plan')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_plan_deviation_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_deviation'))
    )
    with op.batch_alter_table('plan_deviation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_deviation_plan_id'), ['plan_id'], unique=False)

    op.create_table('toewijzing_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('toewijzing_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_toewijzing_result_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['toewijzing_id'], ['toewijzing.id'], name=op.f('fk_toewijzing_result_toewijzing_id_toewijzing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toewijzing_result'))
    )
    with op.batch_alter_table('toewijzing_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toewijzing_result_toewijzing_id'), ['toewijzing_id'], unique=False)


def downgrade():
    with op.batch_alter_table('toewijzing_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toewijzing_result_toewijzing_id'))
    op.drop_table('toewijzing_result')
    with op.batch_alter_table('plan_deviation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_deviation_plan_id'))
    op.drop_table('plan_deviation')
    with op.batch_alter_table('evaluation_due', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_due_plan_id'))
    op.drop_table('evaluation_due')
    op.drop_table('support_start')
