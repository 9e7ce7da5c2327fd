"""The BAF packs drawn (issue 18): by the download's worker or `flask report baf`, so the cover
paper's default "since" sees both. Packs already made as jobs are carried over.

Revision ID: d7a3c1e5f218
Revises: 749fb06089bb
Create Date: 2026-12-06 09:00:00

"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = 'd7a3c1e5f218'
down_revision = '749fb06089bb'
branch_labels = None
depends_on = None


def upgrade():
    drawn = op.create_table('drawn_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('directorate_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('risks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_drawn_packs_committee_id_committees')),
    sa.ForeignKeyConstraint(['directorate_id'], ['directorates.id'], name=op.f('fk_drawn_packs_directorate_id_directorates')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_drawn_packs_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_drawn_packs_owner_id_users')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_drawn_packs_register_id_registers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drawn_packs'))
    )
    op.create_index('ix_drawn_packs_register_drawn', 'drawn_packs', ['register_id', 'drawn_at'], unique=False)
    # The packs already made by the worker: their job rows say what was asked and when done.
    bind = op.get_bind()
    jobs = sa.table('jobs', sa.column('user_id'), sa.column('kind'), sa.column('state'),
                    sa.column('params'), sa.column('finished_at', sa.DateTime(timezone=True)))
    registers = [r for (r,) in bind.execute(sa.text('SELECT id FROM registers ORDER BY id'))]
    rows = []
    for user_id, params, finished_at in bind.execute(
            sa.select(jobs.c.user_id, jobs.c.params, jobs.c.finished_at)
            .where(jobs.c.kind == 'pack', jobs.c.state == 'done',
                   jobs.c.finished_at.is_not(None))):
        try:
            asked = json.loads(params)
        except ValueError:
            continue
        register = asked.get('register') or (registers[0] if registers else None)
        if register is None or int(register) not in registers:
            continue
        as_of = date.fromisoformat(asked['as_of']) if asked.get('as_of') else \
            finished_at.date()
        rows.append({'register_id': int(register), 'as_of': as_of, 'drawn_at': finished_at,
                     'drawn_by_id': user_id, 'via': 'download',
                     'committee_id': asked.get('committee') or None,
                     'directorate_id': asked.get('directorate') or None,
                     'owner_id': asked.get('owner') or None, 'risks': 0})
    if rows:
        op.bulk_insert(drawn, rows)


def downgrade():
    # The jobs the packs drawn by download came from are still there; packs drawn from the
    # command line were never jobs, and go with the table.
    op.drop_index('ix_drawn_packs_register_drawn', table_name='drawn_packs')
    op.drop_table('drawn_packs')
