"""Jobs keep an import's uploaded file until the worker has read it (issue 15, finding 1).

Revision ID: e4a91c7d2b55
Revises: c0e1a2b3d4f5
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a91c7d2b55'
down_revision = 'c0e1a2b3d4f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('upload', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('upload')
