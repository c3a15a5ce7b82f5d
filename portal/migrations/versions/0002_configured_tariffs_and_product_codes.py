"""Configured tariffs and product codes: what beheer sets where a region's document is silent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:05:13.127990

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('configured_product_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('product_key', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_configured_product_code_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_configured_product_code')),
    sa.UniqueConstraint('region_code', 'code', name='uq_configured_product_code_code'),
    sa.UniqueConstraint('region_code', 'product_key', name='uq_configured_product_code_product')
    )
    op.create_table('configured_tariff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('product_key', sa.String(length=40), nullable=False),
    sa.Column('variant_key', sa.String(length=40), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('tariff_unit', sa.String(length=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_configured_tariff_amount')),
    sa.CheckConstraint('valid_until IS NULL OR valid_until >= valid_from', name=op.f('ck_configured_tariff_period')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_configured_tariff_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_configured_tariff'))
    )


def downgrade():
    op.drop_table('configured_tariff')
    op.drop_table('configured_product_code')
