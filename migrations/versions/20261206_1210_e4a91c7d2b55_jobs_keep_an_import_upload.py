"""Jobs keep an import's uploaded file until the worker has read it (issue 15, finding 1).

Revision ID: e4a91c7d2b55
Revises: 5b1e0c7d9a24
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a91c7d2b55'
down_revision = '5b1e0c7d9a24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('upload', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('upload')
