"""Stored deadlines per toewijzing, so a dashboard reads the most urgent with one query, and clients
indexed by name for lists shown a page at a time (issue 9, load). The deadlines are filled by
`wmo-portal init-db` after the migrations (portal.deadlines.store.refresh_all).

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('toewijzing_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('aanbieder_id', sa.Integer(), nullable=False),
    sa.Column('gemeente_id', sa.Integer(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('shown_from', sa.Date(), nullable=True),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['toewijzing_id'], ['toewijzing.id'], name=op.f('fk_deadline_toewijzing_id_toewijzing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_deadline_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['aanbieder_id'], ['organisation.id'], name=op.f('fk_deadline_aanbieder_id_organisation')),
    sa.ForeignKeyConstraint(['gemeente_id'], ['organisation.id'], name=op.f('fk_deadline_gemeente_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline'))
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_aanbieder_due', ['aanbieder_id', 'due'], unique=False)
        batch_op.create_index('ix_deadline_gemeente_due', ['gemeente_id', 'due'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_toewijzing_id'), ['toewijzing_id'], unique=False)
    op.create_index('ix_client_name', 'client', ['achternaam', 'voorletters', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_client_name', table_name='client')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_toewijzing_id'))
        batch_op.drop_index('ix_deadline_gemeente_due')
        batch_op.drop_index('ix_deadline_aanbieder_due')
    op.drop_table('deadline')
