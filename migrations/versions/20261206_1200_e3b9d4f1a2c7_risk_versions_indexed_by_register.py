"""Risk versions indexed by register (issues 14 and 18): a register as at a day reads the
versions of its own risks, not every risk version of every register.

Revision ID: e3b9d4f1a2c7
Revises: c0e1a2b3d4f5
Create Date: 2026-12-06 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3b9d4f1a2c7'
down_revision = 'c0e1a2b3d4f5'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX, not a batch: SQLite would copy the whole table to add an index.
    op.create_index('ix_risks_version_register_id', 'risks_version', ['register_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_risks_version_register_id', table_name='risks_version')
