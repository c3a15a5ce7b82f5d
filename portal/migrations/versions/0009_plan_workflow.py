"""Plan workflow: deviations, extra evaluation requests and other Geldrop-Mierlo workflow data (issue 7).

Placeholder reserved at the start of session 3 so that work in parallel keeps one linear chain;
filled by the work that owns it.

Revision ID: 0009
Revises: 0008
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
