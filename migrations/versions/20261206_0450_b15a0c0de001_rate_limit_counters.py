"""Rate-limit counters in the database, shared by every worker and host (issue 15).

Revision ID: b15a0c0de001
Revises: b4e1fe909b95
Create Date: 2026-12-06 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b15a0c0de001'
down_revision = 'b4e1fe909b95'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )


def downgrade():
    op.drop_table('rate_limit_counters')
