"""tenants: description, status, parent, creator and listed admins; data sources

Every existing row is kept: the system tenant gets an empty description, status 1 (active) and
no parent; no administrators are listed, no data source exists yet.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy of the table): SQLite adds a column with a REFERENCES
    # clause in place, and a copy of `tenant` would have to drop a table every row points to.
    op.add_column('tenant', sa.Column('description', sa.String(length=1024), nullable=False,
                                      server_default=''))
    op.add_column('tenant', sa.Column('status', sa.Integer(), nullable=False,
                                      server_default='1'))
    _add_reference('parent_id', 'tenant', None)
    _add_reference('created_by', 'user_account', 'SET NULL')
    op.create_table('tenant_admin',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_tenant_admin_tenant_id_tenant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_tenant_admin_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'user_id', name=op.f('pk_tenant_admin'))
    )
    op.create_index(op.f('ix_tenant_admin_user_id'), 'tenant_admin', ['user_id'], unique=False)
    op.create_table('data_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('data_store', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=1024), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('oauth_profile_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['oauth_profile_id'], ['oauth_profile.id'], name=op.f('fk_data_source_oauth_profile_id_oauth_profile'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_data_source_owner_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_source')),
    sa.UniqueConstraint('owner_id', 'name', name='uq_data_source_owner_name')
    )
    op.create_index(op.f('ix_data_source_owner_id'), 'data_source', ['owner_id'], unique=False)
    op.create_index(op.f('ix_data_source_oauth_profile_id'), 'data_source',
                    ['oauth_profile_id'], unique=False)


def _add_reference(column, target, ondelete):
    """A nullable integer column of `tenant` referring to target.id. SQLite adds it in place
    with a REFERENCES clause (Alembic would want a batch copy of the table, which would drop
    the table every row points to); PostgreSQL adds the column, then the named constraint."""
    name = f'fk_tenant_{column}_{target}'
    if op.get_bind().dialect.name == 'sqlite':
        action = f' ON DELETE {ondelete}' if ondelete else ''
        op.execute(f'ALTER TABLE tenant ADD COLUMN {column} INTEGER '
                   f'CONSTRAINT {name} REFERENCES {target} (id){action}')
        return
    op.add_column('tenant', sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(name, 'tenant', target, [column], ['id'], ondelete=ondelete)


def downgrade():
    op.drop_index(op.f('ix_data_source_oauth_profile_id'), table_name='data_source')
    op.drop_index(op.f('ix_data_source_owner_id'), table_name='data_source')
    op.drop_table('data_source')
    op.drop_index(op.f('ix_tenant_admin_user_id'), table_name='tenant_admin')
    op.drop_table('tenant_admin')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite can drop neither a referencing column nor (with foreign keys on) the table
        # every row refers to, which a batch copy would do. The four columns stay: they have
        # defaults, and the code of revision 0003 never reads them.
        return
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('created_by')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('status')
        batch_op.drop_column('description')
