"""Add the reminder outbox: reminders keyed (kind, item, recipient, period) and send attempts.

Revision ID: 4018705802cd
Revises: 72ce79d96e5e
Create Date: 2026-11-23 12:26:44.557313

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4018705802cd'
down_revision = '72ce79d96e5e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_reminders_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('kind', 'item_id', 'recipient_id', 'period', name='uq_reminders_kind_item_recipient_period')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_claim_token'), ['claim_token'], unique=False)
        batch_op.create_index('ix_reminders_recipient_sent', ['recipient_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_reminders_status_next_attempt', ['status', 'next_attempt_at'], unique=False)

    op.create_table('reminder_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminders.id'], name=op.f('fk_reminder_attempts_reminder_id_reminders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_attempts'))
    )
    with op.batch_alter_table('reminder_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_attempts_reminder_id'), ['reminder_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reminder_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_attempts_reminder_id'))

    op.drop_table('reminder_attempts')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_status_next_attempt')
        batch_op.drop_index('ix_reminders_recipient_sent')
        batch_op.drop_index(batch_op.f('ix_reminders_claim_token'))

    op.drop_table('reminders')
