"""Import previews already confirmed: a preview adds its risks once only (issue 15).

Revision ID: b15a0c0de003
Revises: 8a638b527d21
Create Date: 2026-12-06 05:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b15a0c0de003'
down_revision = '8a638b527d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_import_previews',
    sa.Column('preview', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_used_import_previews_user_id_users')),
    sa.PrimaryKeyConstraint('preview', name=op.f('pk_used_import_previews'))
    )


def downgrade():
    op.drop_table('used_import_previews')
