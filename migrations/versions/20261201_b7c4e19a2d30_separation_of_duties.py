"""separation of duties: frozen results, council facilitators, pending bank-account changes

Revision ID: b7c4e19a2d30
Revises: c4a2e5e87571
Create Date: 2026-12-01 20:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c4e19a2d30'
down_revision = 'c4a2e5e87571'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_facilitator',
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_council_facilitator_council_id_council'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_council_facilitator_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('council_id', 'user_id', name=op.f('pk_council_facilitator'))
    )
    # Existing councils keep the facilitator who planned them.
    op.execute(
        "INSERT INTO council_facilitator (council_id, user_id) "
        "SELECT council.id, council.created_by_id FROM council "
        "JOIN user_role ON user_role.user_id = council.created_by_id AND user_role.role = 'facilitator' "
        "WHERE council.created_by_id IS NOT NULL"
    )
    with op.batch_alter_table('budget_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_hashes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('results_outcome', sa.JSON(), nullable=True))
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_iban', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('pending_account_holder_name', sa.String(length=70), nullable=True))
        batch_op.add_column(sa.Column('bank_change_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('bank_changed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_volunteer_bank_change_requested_by_id_user'), 'user', ['bank_change_requested_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_volunteer_bank_changed_by_id_user'), 'user', ['bank_changed_by_id'], ['id'], ondelete='SET NULL')
    # SQLite rebuilt two tables: leave no freed pages behind (the secret-ballot revision before
    # this one promises a file without old pages).
    if op.get_bind().dialect.name == 'sqlite':
        with op.get_context().autocommit_block():
            op.execute('VACUUM')
            op.execute('PRAGMA wal_checkpoint(TRUNCATE)')


def downgrade():
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_volunteer_bank_changed_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_volunteer_bank_change_requested_by_id_user'), type_='foreignkey')
        batch_op.drop_column('bank_changed_by_id')
        batch_op.drop_column('bank_change_requested_by_id')
        batch_op.drop_column('pending_account_holder_name')
        batch_op.drop_column('pending_iban')
    with op.batch_alter_table('budget_round', schema=None) as batch_op:
        batch_op.drop_column('results_outcome')
        batch_op.drop_column('results_hashes')
        batch_op.drop_column('results_approved_at')
    op.drop_table('council_facilitator')
