"""Add login throttles: failed sign-ins per email address, shared by every worker and host.

Revision ID: cbfb3c0dac65
Revises: 4018705802cd
Create Date: 2026-11-23 12:46:57.553478

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cbfb3c0dac65'
down_revision = '4018705802cd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('email', name=op.f('uq_login_throttles_email'))
    )


def downgrade():
    op.drop_table('login_throttles')
