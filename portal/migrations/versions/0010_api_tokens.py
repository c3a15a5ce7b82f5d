"""API tokens and idempotency keys (issue 8).

Placeholder reserved at the start of session 3 so that work in parallel keeps one linear chain;
filled by the work that owns it.

Revision ID: 0010
Revises: 0009
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
