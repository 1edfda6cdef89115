"""look-alike names share a key; the token service's record on profiles; audit detail/count

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:00:00

Every name gets a comparison key (webui/models/names.py) under a unique constraint in its
scope. Existing rows are never renamed: when two existing names already share a key (say
"Alice" and "alice"), the later row's key gets "~<id>" appended, so both keep working, and the
migration logs them for an administrator to rename; new look-alikes are refused from now on.
"""
import logging

import sqlalchemy as sa
from alembic import op

from webui.models.names import name_key

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
# table -> (name column, scope column or None, unique constraint name)
KEYED = {
    "user_account": ("user_name", None, "uq_user_account_name_key"),
    "role": ("name", "tenant_id", "uq_role_tenant_name_key"),
    "oauth_application": ("name", "tenant_id", "uq_oauth_application_name_key"),
    "oauth_profile": ("name", "owner_id", "uq_oauth_profile_owner_name_key"),
}


def _backfill(table: str, column: str, scope: str | None) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        f"SELECT id, {column}{', ' + scope if scope else ''} FROM {table} ORDER BY id")).all()
    seen = set()
    for row in rows:
        key = name_key(row[1])
        scoped = (row[2] if scope else None, key)
        if scoped in seen:
            log.warning("%s %s: name %r looks like an earlier one; kept, keyed apart",
                        table, row[0], row[1])
            key = f"{key}~{row[0]}"
        seen.add(scoped)
        conn.execute(sa.text(f"UPDATE {table} SET name_key = :k WHERE id = :id"),
                     {"k": key, "id": row[0]})


def upgrade():
    for table, (column, scope, constraint) in KEYED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', sa.String(length=512), nullable=True))
        _backfill(table, column, scope)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('name_key', existing_type=sa.String(length=512),
                                  nullable=False)
            batch_op.create_unique_constraint(constraint,
                                              [scope, 'name_key'] if scope else ['name_key'])

    with op.batch_alter_table('oauth_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_refresh_error', sa.String(length=512),
                                      nullable=True))
        batch_op.add_column(sa.Column('refresh_failures', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('next_refresh_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_oauth_profile_next_refresh_at', ['next_refresh_at'])

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('count', sa.Integer(), nullable=False,
                                      server_default='1'))


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('count')
        batch_op.drop_column('detail')
    with op.batch_alter_table('oauth_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_profile_next_refresh_at')
        for column in ('last_used_at', 'next_refresh_at', 'refresh_failures',
                       'last_refresh_error'):
            batch_op.drop_column(column)
    for table, (_, _, constraint) in KEYED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(constraint, type_='unique')
            batch_op.drop_column('name_key')
