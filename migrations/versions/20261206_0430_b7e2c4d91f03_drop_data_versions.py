"""Drop data_versions: the page cache it kept versions for is gone (issue 20)

Pages are now worked out on every request with the right queries and indexes; nothing reads
or writes the table any more. The migration that made it stays, as databases were upgraded
through it.

Revision ID: b7e2c4d91f03
Revises: 120a02255298
Create Date: 2026-12-06 04:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7e2c4d91f03'
down_revision = '120a02255298'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('data_versions')


def downgrade():
    # As the table was made (a1d7e3c90b52); its rows were only ever a cache's keys, so an
    # empty table is what that code expects after a restart.
    op.create_table(
        'data_versions',
        sa.Column('table_name', sa.String(length=63), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_data_versions')),
    )
