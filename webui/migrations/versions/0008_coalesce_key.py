"""audit events: a unique key for coalesced events

One token hand-out row per caller, profile and minute for all server processes
(webui/domain/handouts.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # A column and a partial unique index (only the rows with a key are in it): neither
    # copies the table on SQLite, where the trail may be long. No row has a key yet, so the
    # index starts empty; building it reads the table once (on PostgreSQL, holding audit
    # writes back for that read).
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coalesce_key', sa.String(length=128), nullable=True))
    op.create_index('ix_audit_event_coalesce_key', 'audit_event', ['coalesce_key'],
                    unique=True, sqlite_where=sa.text('coalesce_key IS NOT NULL'),
                    postgresql_where=sa.text('coalesce_key IS NOT NULL'))


def downgrade():
    op.drop_index('ix_audit_event_coalesce_key', table_name='audit_event')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('coalesce_key')
