"""An upload can be "ontvangen" (niet verwerkt): its bytes are committed before it is processed.

Revision ID: 0012
Revises: 0011
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD = "status IN ('geldig', 'ongeldig', 'dubbel', 'geweigerd', 'archief')"
NEW = "status IN ('ontvangen', 'geldig', 'ongeldig', 'dubbel', 'geweigerd', 'archief')"


def upgrade():
    with op.batch_alter_table('upload', recreate='auto') as batch:
        batch.drop_constraint('status', type_='check')
        batch.create_check_constraint('status', NEW)


def downgrade():
    op.execute("UPDATE upload SET status = 'geweigerd', summary = 'Niet verwerkt.' "
               "WHERE status = 'ontvangen'")
    with op.batch_alter_table('upload', recreate='auto') as batch:
        batch.drop_constraint('status', type_='check')
        batch.create_check_constraint('status', OLD)
