"""Toewijzing attributes (the region's own fields) and the warnings its rules gave.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:12:56.291519

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('toewijzing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attributes', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('warnings', sa.JSON(), nullable=False, server_default='[]'))



def downgrade():
    with op.batch_alter_table('toewijzing', schema=None) as batch_op:
        batch_op.drop_column('warnings')
        batch_op.drop_column('attributes')

