"""authorization-code flow: pending authorizations (state) and the profile's last token issue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oauth_state',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('login_session_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('for_user', sa.String(length=128), nullable=True),
    sa.Column('oauth_app_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=128), nullable=True),
    sa.Column('description', sa.String(length=1024), nullable=False),
    sa.Column('redirect_uri', sa.String(length=2048), nullable=False),
    # Fernet ciphertext of the PKCE code verifier (webui.crypto.EncryptedText)
    sa.Column('code_verifier', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['login_session_id'], ['login_session.id'], name=op.f('fk_oauth_state_login_session_id_login_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['oauth_app_id'], ['oauth_application.id'], name=op.f('fk_oauth_state_oauth_app_id_oauth_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['oauth_profile.id'], name=op.f('fk_oauth_state_profile_id_oauth_profile'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oauth_state_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_state'))
    )
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_state_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_state_login_session_id'), ['login_session_id'], unique=False)

    with op.batch_alter_table('oauth_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tokens_refreshed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('oauth_profile', schema=None) as batch_op:
        batch_op.drop_column('tokens_refreshed_at')

    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_state_login_session_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_state_expires_at'))

    op.drop_table('oauth_state')
