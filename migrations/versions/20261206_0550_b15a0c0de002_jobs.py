"""Jobs: long work (BAF packs, register workbooks) made by `flask worker` (issue 15).

Revision ID: b15a0c0de002
Revises: b15a0c0de001
Create Date: 2026-12-06 05:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b15a0c0de002'
down_revision = 'b15a0c0de001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('mimetype', sa.String(length=100), nullable=True),
    sa.Column('result', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index('ix_jobs_user_kind_state', 'jobs', ['user_id', 'kind', 'state'], unique=False)
    op.create_index(op.f('ix_jobs_key'), 'jobs', ['key'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_jobs_key'), table_name='jobs')
    op.drop_index('ix_jobs_user_kind_state', table_name='jobs')
    op.drop_table('jobs')
