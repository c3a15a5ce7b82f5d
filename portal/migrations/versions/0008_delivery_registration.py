"""Delivery registration: attendance and time per toewijzing and day, recorded by the aanbieder
(issue 6: the declaration rules that need data a WMO323 does not carry).

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delivery_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('toewijzing_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('attendance', sa.String(length=10), nullable=True),
    sa.Column('activity', sa.String(length=10), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('aanwezigheid', 'tijd')", name=op.f('ck_delivery_entry_kind')),
    sa.CheckConstraint("attendance IS NULL OR attendance IN ('aanwezig', 'afwezig', 'no_show')", name=op.f('ck_delivery_entry_attendance')),
    sa.CheckConstraint("activity IS NULL OR activity IN ('direct', 'indirect', 'reistijd')", name=op.f('ck_delivery_entry_activity')),
    sa.CheckConstraint("(kind = 'aanwezigheid' AND attendance IS NOT NULL AND activity IS NULL AND minutes IS NULL) OR (kind = 'tijd' AND attendance IS NULL AND activity IS NOT NULL AND minutes IS NOT NULL)", name=op.f('ck_delivery_entry_kind_fields')),
    sa.CheckConstraint('minutes IS NULL OR minutes BETWEEN 1 AND 1440', name=op.f('ck_delivery_entry_minutes')),
    sa.CheckConstraint('start_time IS NULL OR end_time IS NULL OR start_time < end_time', name=op.f('ck_delivery_entry_times')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_delivery_entry_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['toewijzing_id'], ['toewijzing.id'], name=op.f('fk_delivery_entry_toewijzing_id_toewijzing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_entry'))
    )
    with op.batch_alter_table('delivery_entry', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_entry_toewijzing_day', ['toewijzing_id', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('delivery_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_entry_toewijzing_day')
    op.drop_table('delivery_entry')
