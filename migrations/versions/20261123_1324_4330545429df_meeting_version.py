"""Meeting version: a meeting edit made from an older version is refused (issue 7, no lost update).

Revision ID: 4330545429df
Revises: 6ed3f6133534
Create Date: 2026-11-23 13:24:28.047960

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4330545429df'
down_revision = '6ed3f6133534'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place. The batch way rebuilds the table (copy, drop,
        # rename): with foreign keys on, dropping `meetings` fails or cascades into the rows
        # that point at it, leaving `_alembic_tmp_meetings` behind (issue 15, finding 15).
        op.execute("ALTER TABLE meetings DROP COLUMN version")
    else:
        op.drop_column('meetings', 'version')
