"""Upload totals in 64 bits: a declaration's TotaalBedrag may reach 999,999,999,999 cents.

The submitted and granted amounts of an upload were 32-bit INTEGER columns, so PostgreSQL refused
a declaration of more than € 21,474,836.47 (SQLite did not mind). LDT_TotaalBedrag (xsd/
basisschema.xsd) allows twelve digits.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upload') as batch:
        batch.alter_column('submitted_cents', type_=sa.BigInteger(), existing_type=sa.Integer(),
                           existing_nullable=True)
        batch.alter_column('granted_cents', type_=sa.BigInteger(), existing_type=sa.Integer(),
                           existing_nullable=True)


def downgrade():
    with op.batch_alter_table('upload') as batch:
        batch.alter_column('submitted_cents', type_=sa.Integer(), existing_type=sa.BigInteger(),
                           existing_nullable=True)
        batch.alter_column('granted_cents', type_=sa.Integer(), existing_type=sa.BigInteger(),
                           existing_nullable=True)
