"""Meeting cycle (issue 17): papers, officers in attendance, motions, action notes and slips,
highlight reports to the parent committee, chair's actions.

Existing meeting actions keep their due date as the one first agreed.

Revision ID: 120a02255298
Revises: 5e4c1b7a9d20
Create Date: 2026-12-06 04:00:19.806645

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '120a02255298'
down_revision = '5e4c1b7a9d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chairs_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('consulted', sa.Text(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_chairs_actions_committee_id_committees')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_chairs_actions_taken_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chairs_actions'))
    )
    with op.batch_alter_table('chairs_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chairs_actions_committee_id'), ['committee_id'], unique=False)

    op.create_table('meeting_officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_officers_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_officers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_officers'))
    )
    with op.batch_alter_table('meeting_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_officers_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_officers_user_id'), ['user_id'], unique=False)

    op.create_table('highlight_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('alert', sa.Text(), nullable=False),
    sa.Column('advise', sa.Text(), nullable=False),
    sa.Column('assure', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('parent_item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_highlight_reports_approved_by_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_highlight_reports_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['parent_item_id'], ['agenda_items.id'], name=op.f('fk_highlight_reports_parent_item_id_agenda_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_highlight_reports')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_highlight_reports_meeting_id'))
    )
    with op.batch_alter_table('highlight_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_highlight_reports_parent_item_id'), ['parent_item_id'], unique=False)

    op.create_table('papers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('late', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('pdf', 'docx')", name=op.f('ck_papers_kind')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_papers_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_papers_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_papers')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_papers_stored_name'))
    )
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_papers_item_id'), ['item_id'], unique=False)

    op.create_table('meeting_action_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['meeting_actions.id'], name=op.f('fk_meeting_action_notes_action_id_meeting_actions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meeting_action_notes_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_action_notes'))
    )
    with op.batch_alter_table('meeting_action_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_action_notes_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('papers_expected', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('duration_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('motion', sa.Text(), nullable=True))

    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('slips', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE meeting_actions SET original_due_date = due_date")

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_published_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('motion', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('motion')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('agenda_published_at')

    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.drop_column('slips')
        batch_op.drop_column('original_due_date')

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('motion')
        batch_op.drop_column('duration_minutes')
        batch_op.drop_column('papers_expected')

    with op.batch_alter_table('meeting_action_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_action_notes_action_id'))

    op.drop_table('meeting_action_notes')
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_papers_item_id'))

    op.drop_table('papers')
    with op.batch_alter_table('highlight_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_highlight_reports_parent_item_id'))

    op.drop_table('highlight_reports')
    with op.batch_alter_table('meeting_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_officers_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_officers_meeting_id'))

    op.drop_table('meeting_officers')
    with op.batch_alter_table('chairs_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chairs_actions_committee_id'))

    op.drop_table('chairs_actions')
