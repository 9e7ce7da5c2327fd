"""Indexes for pages as at a past day at 5,000 risks (issues 14 and 18): the latest review of
each risk held by a day, found by walking its reviews newest first (a row or two a risk, not
every review sorted); and the record's first day (the earliest day a risk was opened) read
from an index, not every risk version.

Revision ID: a7c3e5f9b1d2
Revises: f1c2d3e4a5b6
Create Date: 2026-12-06 16:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e5f9b1d2'
down_revision = 'f1c2d3e4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX, not a batch: SQLite would copy the whole table to add an index.
    op.create_index('ix_score_records_version_risk_held', 'score_records_version',
                    ['risk_id', 'recorded_on', 'id'], unique=False)
    op.create_index('ix_risks_version_opened_on', 'risks_version', ['opened_on'],
                    unique=False)


def downgrade():
    op.drop_index('ix_risks_version_opened_on', table_name='risks_version')
    op.drop_index('ix_score_records_version_risk_held', table_name='score_records_version')
