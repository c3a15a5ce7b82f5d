"""Delivery registration: attendance, activity type, no-show per client and day (issue 6).

Placeholder reserved at the start of session 3 so that work in parallel keeps one linear chain;
filled by the work that owns it.

Revision ID: 0008
Revises: 0007
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
