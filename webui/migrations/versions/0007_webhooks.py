"""webhooks: endpoints and the outbox of deliveries; the due selection's expiry index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:00:00
"""
import sqlalchemy as sa
from alembic import op

from webui.infra.cipher import EncryptedText

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2048), nullable=False),
        sa.Column('events', sa.String(length=1024), nullable=False),
        sa.Column('description', sa.String(length=1024), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('secret', EncryptedText(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('event_type', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=512), nullable=True),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id'))
    op.create_index('ix_webhook_delivery_status_next', 'webhook_delivery',
                    ['status', 'next_attempt_at'])
    op.create_index('ix_webhook_delivery_endpoint_id_id', 'webhook_delivery',
                    ['endpoint_id', 'id'])
    with op.batch_alter_table('oauth_profile', schema=None) as batch_op:
        batch_op.create_index('ix_oauth_profile_token_expires_at', ['token_expires_at'])


def downgrade():
    with op.batch_alter_table('oauth_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_profile_token_expires_at')
    op.drop_index('ix_webhook_delivery_endpoint_id_id', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_status_next', table_name='webhook_delivery')
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_endpoint')
