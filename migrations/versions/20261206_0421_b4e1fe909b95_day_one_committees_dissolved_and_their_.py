"""Day one (issue 16): committees' own settings and dissolution, members' past terms, risks' former references

All additions: existing rows keep their values (the new committee columns start empty, so
each committee goes on using its terms of reference's threshold and papers deadline).
Downgrading drops what these record: former references, past terms and dissolutions.

Revision ID: b4e1fe909b95
Revises: 97a54fdfe88b
Create Date: 2026-12-06 04:21:41.326157

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e1fe909b95'
down_revision = '97a54fdfe88b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_member_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('renewed_on', sa.Date(), nullable=False),
    sa.Column('renewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_committee_member_terms_member_id_committee_members')),
    sa.ForeignKeyConstraint(['renewed_by_id'], ['users.id'], name=op.f('fk_committee_member_terms_renewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_member_terms'))
    )
    with op.batch_alter_table('committee_member_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_member_terms_member_id'), ['member_id'], unique=False)

    op.create_table('risk_former_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=False),
    sa.Column('moved_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moved_by_id'], ['users.id'], name=op.f('fk_risk_former_references_moved_by_id_users')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_risk_former_references_register_id_registers')),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_risk_former_references_risk_id_risks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_former_references')),
    sa.UniqueConstraint('reference', name=op.f('uq_risk_former_references_reference'))
    )
    with op.batch_alter_table('risk_former_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_former_references_risk_id'), ['risk_id'], unique=False)

    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_threshold_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('papers_deadline_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dissolved_on', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_column('dissolved_on')
        batch_op.drop_column('papers_deadline_days')
        batch_op.drop_column('attendance_threshold_percent')

    with op.batch_alter_table('risk_former_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_former_references_risk_id'))

    op.drop_table('risk_former_references')
    with op.batch_alter_table('committee_member_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_member_terms_member_id'))

    op.drop_table('committee_member_terms')
