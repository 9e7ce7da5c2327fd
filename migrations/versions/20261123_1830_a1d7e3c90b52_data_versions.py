"""Data versions: a version a table, so derived figures are worked out once per change (issue 9)

Revision ID: a1d7e3c90b52
Revises: 4330545429df
Create Date: 2026-11-23 18:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a1d7e3c90b52'
down_revision = '4330545429df'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_versions',
        sa.Column('table_name', sa.String(length=63), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_data_versions')),
    )


def downgrade():
    op.drop_table('data_versions')
