"""pending authorizations name the user they act for on_behalf_of (was for_user)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.alter_column('for_user', new_column_name='on_behalf_of')


def downgrade():
    with op.batch_alter_table('oauth_state', schema=None) as batch_op:
        batch_op.alter_column('on_behalf_of', new_column_name='for_user')
