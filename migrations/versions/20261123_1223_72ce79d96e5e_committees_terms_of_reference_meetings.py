"""committees terms of reference meetings

Revision ID: 72ce79d96e5e
Revises: cf2d38325114
Create Date: 2026-11-23 12:23:31.129327

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '72ce79d96e5e'
down_revision = 'cf2d38325114'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand: tables in dependency order; downgrade drops them in reverse.
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('has_public_part', sa.Boolean(), nullable=False),
    sa.Column('has_private_part', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('minutes_status', sa.String(length=20), nullable=False),
    sa.Column('minutes_approved_at_id', sa.Integer(), nullable=True),
    sa.Column('minutes_approved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('Planned', 'Held', 'Cancelled')", name=op.f('ck_meetings_status')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_meetings_committee_id_committees')),
    sa.ForeignKeyConstraint(['minutes_approved_at_id'], ['meetings.id'], name=op.f('fk_meetings_minutes_approved_at_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_starts_at'), ['starts_at'], unique=False)

    op.create_table('terms_of_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_by', sa.String(length=300), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('review_due', sa.Date(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('deputy_policy', sa.String(length=30), nullable=False),
    sa.Column('majority_base', sa.String(length=20), nullable=False),
    sa.Column('voting_rule', sa.Text(), nullable=False),
    sa.Column('papers_deadline_days', sa.Integer(), nullable=False),
    sa.Column('attendance_threshold_percent', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=30), nullable=False),
    sa.Column('min_voting_members', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'in_force', 'superseded')", name=op.f('ck_terms_of_reference_status')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_terms_of_reference_committee_id_committees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms_of_reference')),
    sa.UniqueConstraint('committee_id', 'version', name=op.f('uq_terms_of_reference_committee_id'))
    )
    with op.batch_alter_table('terms_of_reference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terms_of_reference_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index('uq_terms_of_reference_in_force', ['committee_id'], unique=True, sqlite_where=sa.text("status = 'in_force'"), postgresql_where=sa.text("status = 'in_force'"))

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=10), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('presenter', sa.String(length=200), nullable=False),
    sa.Column('private', sa.Boolean(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('decision_method', sa.String(length=20), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('minutes_discussion', sa.Text(), nullable=False),
    sa.Column('minutes_decision', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_agenda_items_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('calendar_feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feed_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_tokens_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feed_tokens_user_id'))
    )
    op.create_table('committee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=200), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('positions', sa.JSON(), nullable=False),
    sa.Column('appointed_on', sa.Date(), nullable=False),
    sa.Column('term_ends_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.CheckConstraint('user_id IS NOT NULL OR person_name IS NOT NULL', name=op.f('ck_committee_members_has_person')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_committee_members_committee_id_committees')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_members'))
    )
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_members_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_members_user_id'), ['user_id'], unique=False)

    op.create_table('tor_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tor_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('voting', sa.Boolean(), nullable=False),
    sa.Column('chair', sa.Boolean(), nullable=False),
    sa.Column('deputy_chair', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tor_id'], ['terms_of_reference.id'], name=op.f('fk_tor_positions_tor_id_terms_of_reference')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tor_positions')),
    sa.UniqueConstraint('tor_id', 'name', name=op.f('uq_tor_positions_tor_id'))
    )
    with op.batch_alter_table('tor_positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tor_positions_tor_id'), ['tor_id'], unique=False)

    op.create_table('tor_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tor_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('positions', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 1', name=op.f('ck_tor_requirements_count_positive')),
    sa.ForeignKeyConstraint(['tor_id'], ['terms_of_reference.id'], name=op.f('fk_tor_requirements_tor_id_terms_of_reference')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tor_requirements'))
    )
    with op.batch_alter_table('tor_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tor_requirements_tor_id'), ['tor_id'], unique=False)

    op.create_table('agenda_item_risks',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_item_risks_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_agenda_item_risks_risk_id_risks')),
    sa.PrimaryKeyConstraint('item_id', 'risk_id', name=op.f('pk_agenda_item_risks'))
    )
    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('deputy_name', sa.String(length=200), nullable=True),
    sa.Column('arrived_at_item_id', sa.Integer(), nullable=True),
    sa.Column('left_at_item_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status != 'deputy' OR deputy_name IS NOT NULL", name=op.f('ck_attendances_deputy_named')),
    sa.ForeignKeyConstraint(['arrived_at_item_id'], ['agenda_items.id'], name=op.f('fk_attendances_arrived_at_item_id_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['left_at_item_id'], ['agenda_items.id'], name=op.f('fk_attendances_left_at_item_id_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_attendances_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_attendances_member_id_committee_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_attendances_meeting_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_member_id'), ['member_id'], unique=False)

    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=200), nullable=True),
    sa.Column('interest', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.CheckConstraint('member_id IS NOT NULL OR person_name IS NOT NULL', name=op.f('ck_declarations_has_person')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_declarations_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_declarations_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_declarations_member_id_committee_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations'))
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('update', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('Open', 'Complete', 'Cancelled')", name=op.f('ck_meeting_actions_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_meeting_actions_assignee_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_meeting_actions_item_id_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_actions_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_actions'))
    )
    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_actions_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_status'), ['status'], unique=False)

    op.create_table('minute_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('old_text', sa.Text(), nullable=False),
    sa.Column('new_text', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_minute_corrections_corrected_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_minute_corrections_item_id_agenda_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minute_corrections'))
    )
    with op.batch_alter_table('minute_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minute_corrections_item_id'), ['item_id'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('majority_base', sa.String(length=20), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstentions', sa.Integer(), nullable=False),
    sa.Column('carried', sa.Boolean(), nullable=False),
    sa.Column('tied', sa.Boolean(), nullable=False),
    sa.Column('casting_vote', sa.String(length=10), nullable=True),
    sa.Column('casting_voter_name', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_votes_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_votes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effectiveness_review_due', sa.Date(), nullable=True))

    # ### end Alembic commands ###


def downgrade():
    # Reviewed by hand: tables in dependency order; downgrade drops them in reverse.
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_column('effectiveness_review_due')

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_item_id'))

    op.drop_table('votes')
    with op.batch_alter_table('minute_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minute_corrections_item_id'))

    op.drop_table('minute_corrections')
    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_actions_status'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_due_date'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_assignee_id'))

    op.drop_table('meeting_actions')
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declarations_member_id'))
        batch_op.drop_index(batch_op.f('ix_declarations_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_declarations_item_id'))

    op.drop_table('declarations')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_member_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_meeting_id'))

    op.drop_table('attendances')
    op.drop_table('agenda_item_risks')
    with op.batch_alter_table('tor_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tor_requirements_tor_id'))

    op.drop_table('tor_requirements')
    with op.batch_alter_table('tor_positions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tor_positions_tor_id'))

    op.drop_table('tor_positions')
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_committee_members_committee_id'))

    op.drop_table('committee_members')
    op.drop_table('calendar_feed_tokens')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_meeting_id'))

    op.drop_table('agenda_items')
    with op.batch_alter_table('terms_of_reference', schema=None) as batch_op:
        batch_op.drop_index('uq_terms_of_reference_in_force', sqlite_where=sa.text("status = 'in_force'"), postgresql_where=sa.text("status = 'in_force'"))
        batch_op.drop_index(batch_op.f('ix_terms_of_reference_committee_id'))

    op.drop_table('terms_of_reference')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_meetings_committee_id'))

    op.drop_table('meetings')
    # ### end Alembic commands ###
