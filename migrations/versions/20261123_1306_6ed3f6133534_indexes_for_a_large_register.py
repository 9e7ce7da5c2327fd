"""Indexes for a large register (issue 9): a committee's risks, the first review date.

At 5,000 risks the committee page and the committee filter of the risk list scanned
risk_committees (keyed risk_id first), and the movement page's first review year read
60,000 score records.

Revision ID: 6ed3f6133534
Revises: cbfb3c0dac65
Create Date: 2026-11-23 13:06:05.235398

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6ed3f6133534'
down_revision = 'cbfb3c0dac65'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_committees', schema=None) as batch_op:
        batch_op.create_index('ix_risk_committees_committee_id', ['committee_id'], unique=False)

    with op.batch_alter_table('score_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_records_recorded_on'), ['recorded_on'], unique=False)



def downgrade():
    with op.batch_alter_table('score_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_records_recorded_on'))

    with op.batch_alter_table('risk_committees', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_committees_committee_id')

