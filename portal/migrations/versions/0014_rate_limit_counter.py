"""The login rate limit's counters in the portal's own database, shared by every worker and server
(portal.auth.ratelimit_store; issue 9, more than one machine).

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('limit_key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('limit_key', name=op.f('pk_rate_limit_counter'))
    )
    op.create_index('ix_rate_limit_counter_expires_at', 'rate_limit_counter', ['expires_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_rate_limit_counter_expires_at', table_name='rate_limit_counter')
    op.drop_table('rate_limit_counter')
