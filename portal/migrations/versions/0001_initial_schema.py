"""Initial schema: organisations, users, clients, toewijzingen, iWmo messages, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:44:10.711743

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('iwmo_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_type', sa.String(length=6), nullable=False),
    sa.Column('identificatie', sa.String(length=12), nullable=False),
    sa.Column('sender', sa.String(length=8), nullable=False),
    sa.Column('receiver', sa.String(length=8), nullable=False),
    sa.Column('dagtekening', sa.Date(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_iwmo_message'))
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'gemeente') = (region_code IS NOT NULL)", name=op.f('ck_organisation_region_only_gemeente')),
    sa.CheckConstraint("kind IN ('aanbieder', 'gemeente')", name=op.f('ck_organisation_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('kind', 'code', name='uq_organisation_kind_code')
    )
    op.create_table('client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=False),
    sa.Column('voorletters', sa.String(length=6), nullable=False),
    sa.Column('voornamen', sa.String(length=200), nullable=True),
    sa.Column('voorvoegsel', sa.String(length=10), nullable=True),
    sa.Column('achternaam', sa.String(length=200), nullable=False),
    sa.Column('geboortedatum', sa.Date(), nullable=False),
    sa.Column('gemeente_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gemeente_id'], ['organisation.id'], name=op.f('fk_client_gemeente_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client')),
    sa.UniqueConstraint('bsn', name=op.f('uq_client_bsn'))
    )
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_gemeente_id'), ['gemeente_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('login_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'beheer') = (organisation_id IS NULL)", name=op.f('ck_user_account_organisation_by_role')),
    sa.CheckConstraint("role IN ('aanbieder', 'gemeente', 'beheer')", name=op.f('ck_user_account_role')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_user_account_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
    sa.UniqueConstraint('login_id', name=op.f('uq_user_account_login_id'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=40), nullable=True),
    sa.Column('remote_addr', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_log_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_log_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('toewijzing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('toewijzing_nummer', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('aanbieder_id', sa.Integer(), nullable=False),
    sa.Column('gemeente_id', sa.Integer(), nullable=False),
    sa.Column('product_category', sa.String(length=2), nullable=False),
    sa.Column('product_code', sa.String(length=5), nullable=True),
    sa.Column('product_key', sa.String(length=40), nullable=True),
    sa.Column('volume', sa.Integer(), nullable=True),
    sa.Column('eenheid', sa.String(length=2), nullable=True),
    sa.Column('frequentie', sa.String(length=1), nullable=True),
    sa.Column('ingangsdatum', sa.Date(), nullable=False),
    sa.Column('einddatum', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('actief', 'beeindigd', 'verwijderd')", name=op.f('ck_toewijzing_status')),
    sa.CheckConstraint('einddatum IS NULL OR einddatum >= ingangsdatum', name=op.f('ck_toewijzing_period')),
    sa.CheckConstraint('toewijzing_nummer BETWEEN 0 AND 999999999', name=op.f('ck_toewijzing_nummer')),
    sa.CheckConstraint('volume IS NULL OR volume BETWEEN 0 AND 99999999', name=op.f('ck_toewijzing_volume')),
    sa.ForeignKeyConstraint(['aanbieder_id'], ['organisation.id'], name=op.f('fk_toewijzing_aanbieder_id_organisation')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_toewijzing_client_id_client')),
    sa.ForeignKeyConstraint(['gemeente_id'], ['organisation.id'], name=op.f('fk_toewijzing_gemeente_id_organisation')),
    sa.ForeignKeyConstraint(['message_id'], ['iwmo_message.id'], name=op.f('fk_toewijzing_message_id_iwmo_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toewijzing')),
    sa.UniqueConstraint('gemeente_id', 'toewijzing_nummer', name='uq_toewijzing_gemeente_nummer')
    )
    with op.batch_alter_table('toewijzing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toewijzing_aanbieder_id'), ['aanbieder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_toewijzing_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_toewijzing_gemeente_id'), ['gemeente_id'], unique=False)



def downgrade():
    with op.batch_alter_table('toewijzing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toewijzing_gemeente_id'))
        batch_op.drop_index(batch_op.f('ix_toewijzing_client_id'))
        batch_op.drop_index(batch_op.f('ix_toewijzing_aanbieder_id'))

    op.drop_table('toewijzing')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    op.drop_table('user_account')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_gemeente_id'))

    op.drop_table('client')
    op.drop_table('organisation')
    op.drop_table('iwmo_message')
