"""The version store becomes the only writer of the risk family's trail (issue 14).

Until now the old audit hook wrote an entry per changed field of risks, controls, gaps,
assurances, actions and progress notes beside their versions. From here only the versions are
written; the entries stay, and `audit_trail_handover` says, for each of those tables, up to
when they are history the version store does not hold: the first change the store recorded itself (not a
first version it was given for a record that already existed), or now if it recorded none.
Entries after that duplicate versions, and trails leave them out.

Revision ID: 3f1c2a9d7e41
Revises: a7d3c1e0f417
Create Date: 2026-12-06 08:30:00

"""
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a9d7e41'
down_revision = 'a7d3c1e0f417'
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")
#: The tables whose audit entries the version store replaces here.
TABLES = ("risks", "controls", "gaps", "assurances", "actions", "action_progress")


def _given_first_version(issued_at, user_id) -> bool:
    """A transaction riskapp.record.baseline made: no one's, at the very start of a day."""
    if user_id is not None or issued_at is None:
        return False
    return issued_at.replace(tzinfo=timezone.utc).astimezone(LONDON).time() == time(0)


def upgrade():
    handover = op.create_table(
        'audit_trail_handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('object_type', sa.String(length=50), nullable=False),
        sa.Column('versions_from', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_trail_handover')),
        sa.UniqueConstraint('object_type', name=op.f('uq_audit_trail_handover_object_type')))
    connection = op.get_bind()
    transactions = sa.table('transaction', sa.column('issued_at', sa.DateTime()),
                            sa.column('user_id', sa.Integer()))
    versions_from = None
    for issued_at, user_id in connection.execute(
            sa.select(transactions.c.issued_at, transactions.c.user_id)
            .order_by(transactions.c.issued_at)):
        if not _given_first_version(issued_at, user_id):
            versions_from = issued_at
            break
    # Transactions are stamped in naive UTC; audit entries and this marker, aware.
    versions_from = (versions_from.replace(tzinfo=timezone.utc) if versions_from is not None
                     else datetime.now(timezone.utc))
    connection.execute(sa.insert(handover), [
        {"object_type": table, "versions_from": versions_from} for table in TABLES])


def downgrade():
    # Only the marker goes; the audit entries were never touched.
    op.drop_table('audit_trail_handover')
