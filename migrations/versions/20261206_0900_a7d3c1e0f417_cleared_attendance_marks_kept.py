"""A cleared attendance mark keeps its row (issue 17): nothing is deleted. `status` may be
empty (not recorded), with who cleared the mark and when.

Carries existing data: every row keeps its status; none is cleared. The downgrade deletes
cleared rows (they would have been deleted before this revision) so `status` can be required
again.

Revision ID: a7d3c1e0f417
Revises: d7a3c1e5f218
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c1e0f417'
down_revision = 'd7a3c1e5f218'
branch_labels = None
depends_on = None


def upgrade():
    # Nothing references attendances, so SQLite's copy-and-rename of the table is safe.
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cleared_by_id', sa.Integer(), nullable=True))
        batch_op.alter_column('status', existing_type=sa.String(length=20), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_attendances_cleared_by_id_users'), 'users',
                                    ['cleared_by_id'], ['id'])


def downgrade():
    op.execute("DELETE FROM attendances WHERE status IS NULL")
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attendances_cleared_by_id_users'),
                                 type_='foreignkey')
        batch_op.alter_column('status', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column('cleared_by_id')
        batch_op.drop_column('cleared_at')
