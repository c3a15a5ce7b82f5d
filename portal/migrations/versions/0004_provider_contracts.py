"""Provider contracts: the products an aanbieder is registered for, per region.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:31:40.375011

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aanbieder_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('product_key', sa.String(length=40), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['aanbieder_id'], ['organisation.id'], name=op.f('fk_provider_contract_aanbieder_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_contract'))
    )
    with op.batch_alter_table('provider_contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_contract_aanbieder_id'), ['aanbieder_id'], unique=False)



def downgrade():
    with op.batch_alter_table('provider_contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_contract_aanbieder_id'))

    op.drop_table('provider_contract')
