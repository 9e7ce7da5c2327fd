"""A correction of approved minutes keeps the version store's transaction that made it
(issue 14): the meeting's trail shows every change of that transaction as part of the
correction, a knock-on one too. Existing corrections keep NULL: the trail still finds theirs by
record and time.

Revision ID: f1c2d3e4a5b6
Revises: e4a91c7d2b55
Create Date: 2026-12-06 13:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1c2d3e4a5b6'
down_revision = 'e4a91c7d2b55'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column with no default: SQLite adds it in place (no table copy).
    op.add_column('minute_corrections', sa.Column('transaction_id', sa.BigInteger(),
                                                  nullable=True))


def downgrade():
    with op.batch_alter_table('minute_corrections') as batch_op:
        batch_op.drop_column('transaction_id')
