"""staff work right the first time: receipted expenses approved and paid, invitations e-mailed and revocable, two-step sign-in

Revision ID: 165d5eb60e84
Revises: b7c4e19a2d30
Create Date: 2026-12-01 20:40:00

Existing staff have no second step yet: board, treasurers and administrators enrol at their next
login. Existing expenses were recorded but never approved: they become "submitted", so that a second
treasurer can approve them and they are paid in the next payout. Existing invitations count as
e-mailed never (their link was shown on screen); they stay usable until they expire.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '165d5eb60e84'
down_revision = 'b7c4e19a2d30'
branch_labels = None
depends_on = None

STATUS = sa.Enum('submitted', 'approved', 'rejected', 'paid', name='claimstatus', native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    op.create_table('user_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_recovery_code'))
    )
    with op.batch_alter_table('user_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_recovery_code_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('volunteer_expense', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', STATUS, nullable=False, server_default='submitted'))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rejected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_volunteer_expense_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_expense_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key('fk_volunteer_expense_approved_by_id_user', 'user', ['approved_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_volunteer_expense_rejected_by_id_user', 'user', ['rejected_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_volunteer_expense_batch_id_payout_batch', 'payout_batch', ['batch_id'], ['id'])
    # The models give no server defaults: drop them once the existing rows are filled.
    with op.batch_alter_table('volunteer_expense', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('rejection_reason', server_default=None)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('mail_failed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_invitation_revoked_by_id_user', 'user', ['revoked_by_id'], ['id'], ondelete='SET NULL')

    # SQLite's batch mode copied three tables: rebuild the file so that no freed page keeps old rows
    # (the secret-ballot revision before this one leaves the file without free pages; keep it so).
    with op.get_context().autocommit_block():
        if op.get_bind().dialect.name == 'sqlite':
            op.execute('VACUUM')
            op.execute('PRAGMA wal_checkpoint(TRUNCATE)')


def downgrade():
    with op.batch_alter_table('user_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_recovery_code_user_id'))
    op.drop_table('user_recovery_code')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invitation_revoked_by_id_user', type_='foreignkey')
        batch_op.drop_column('mail_failed_at')
        batch_op.drop_column('mailed_at')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('volunteer_expense', schema=None) as batch_op:
        batch_op.drop_constraint('fk_volunteer_expense_batch_id_payout_batch', type_='foreignkey')
        batch_op.drop_constraint('fk_volunteer_expense_rejected_by_id_user', type_='foreignkey')
        batch_op.drop_constraint('fk_volunteer_expense_approved_by_id_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_volunteer_expense_batch_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_expense_status'))
        batch_op.drop_column('batch_id')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('rejected_at')
        batch_op.drop_column('rejected_by_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('status')
