"""A job's preview: what its page shows of the result before the download (issue 18: the
BAF cover paper's draft, made by the worker with its Word document).

Nullable, nothing to carry: jobs made before it have no preview (their pages show the
download only). Downgrade drops the column; the jobs and their files are untouched.

Revision ID: c0e1a2b3d4f5
Revises: 0877ffa2ea7a
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c0e1a2b3d4f5'
down_revision = '0877ffa2ea7a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preview", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("preview")
